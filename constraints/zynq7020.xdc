# Eyelet ey_top on a Zynq-7020 (PYNQ-Z2 class): the constraints a user starts from.
# NOT placed, routed or timed here (Vivado is not in Debian); the 12 x 14 `eyeriss` config's
# resources are a Yosys estimate (make fpga-report). ey_top sits in the programmable logic
# between the processing system's AXI ports:
#   s_axil_*  (AXI4-Lite slave, 4 kB of CSRs, rtl/csr_map.def)  <- M_AXI_GP0 via an interconnect
#   m_axi_*   (AXI4 master, 64-bit data, INCR bursts, one ID)   -> S_AXI_HP0 (64-bit) to DDR
#   irq_o     (level, active high)                              -> IRQ_F2P[0]
#   clk_i                                                       <- FCLK_CLK0
#   rst_ni    (synchronous, active low)   <- FCLK_RESET0_N through a proc_sys_reset
# Every port is then an internal net of the block design, and the PS7 IP creates the FCLK_CLK0
# clock constraint itself: a block design needs no more than this file's comments.
#
# Out-of-context synthesis of ey_top alone (synth_design -top ey_top -mode out_of_context):
# the clock, and the AXI ports budgeted at 40 % of the period on each side, as the PS ports and
# an interconnect register slice would leave them.
create_clock -name clk -period 10.000 [get_ports clk_i]
set_input_delay  -clock clk 4.000 [get_ports -filter {DIRECTION == IN && NAME != clk_i}]
set_output_delay -clock clk 4.000 [get_ports -filter {DIRECTION == OUT}]
