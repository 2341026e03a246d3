// Eyelet RTL, in compile order. Read by Verilator (-f), CMake and the Yosys scripts.
+incdir+rtl
rtl/ey_pkg.sv
rtl/ey_sram_2p.sv
rtl/ey_pe.sv
rtl/ey_pe_array.sv
