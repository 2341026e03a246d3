// Eyelet RTL, in compile order. Read by Verilator (-f), CMake and the Yosys scripts.
+incdir+rtl
rtl/ey_pkg.sv
rtl/ey_sram_2p.sv
rtl/ey_pe.sv
rtl/ey_pe_array.sv
rtl/ey_fifo.sv
rtl/ey_rd_port.sv
rtl/ey_glb.sv
rtl/ey_pass_cnt.sv
rtl/ey_lane_seq.sv
rtl/ey_pass_ctrl.sv
rtl/ey_core.sv
rtl/ey_csr.sv
rtl/ey_dma_rd.sv
rtl/ey_dma_wr.sv
rtl/ey_walker.sv
rtl/ey_top.sv
