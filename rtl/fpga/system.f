// The board system around the accelerator (after rtl/eyelet.f): UART bridge, DRAM stand-in.
rtl/ey_sram_1p.sv
rtl/fpga/ey_uart_rx.sv
rtl/fpga/ey_uart_tx.sv
rtl/fpga/ey_uart_bridge.sv
rtl/fpga/ey_axi_sram.sv
rtl/fpga/ey_uart_sys.sv
