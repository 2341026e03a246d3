// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Ifmap stream generator of the pass controller (rtl/ey_pass_ctrl.sv): walks every pass of
// the layer (channel block cb, filter-row group rgi, on its own pass counter) and, per pass,
// for each image and strip of e ofmap rows, column by column, every diagonal d that feeds a
// PE (ifmap row y0*uh + d + rgi*rg - pad_top) and every channel of every channel set, tagged
// (cgi, d). Rows and columns outside the ifmap and padded channels are sent as zeros without
// reading the GLB. Out: a valid/ready stream to the PE array's ifmap GIN.
//
// Fault injection (tests only): a model Verilated with -DEY_FAULT reads the plusargs
// +ey_fault_gin_word=K +ey_fault_gin_bit=B at time 0 and flips bit B of the K-th word (from 0,
// counted since reset over every layer) this generator sends on the ifmap GIN, as a corrupted
// multicast would; fault_hit is high in the cycle that word is taken. Without EY_FAULT nothing
// of it is built.
`include "ey_assert.svh"

module ey_ifmap_gen #(
  parameter int unsigned DataW      = ey_pkg::DataW,
  parameter int unsigned IdW        = ey_pkg::IdW,
  parameter int unsigned IfmapWords = 16384,
  localparam int unsigned IfAW = $clog2(IfmapWords)
) (
  input  logic               clk_i,
  input  logic               rst_ni,
  input  logic               clr_i,          // a layer starts (with init_i) or is aborted
  input  logic               init_i,         // start at the layer's first pass

  input  ey_pkg::layer_cfg_t cfg_i,
  input  ey_pkg::run_consts_t k_i,           // the run's constant products (ey_run_consts)

  // GLB ifmap area read port (one cycle latency)
  output logic               glb_if_re_o,
  output logic [IfAW-1:0]    glb_if_addr_o,
  input  logic [DataW-1:0]   glb_if_rdata_i,

  // Ifmap GIN stream
  output logic               if_valid_o,
  input  logic               if_ready_i,
  output logic [IdW-1:0]     if_row_o,
  output logic [IdW-1:0]     if_col_o,
  output logic [DataW-1:0]   if_data_o,

  output logic               done_o          // every pass is sent
);

  ey_pkg::layer_cfg_t c;
  assign c = cfg_i;

  // Per-pass bases of a generator: first filter, first channel, first filter row.

  logic        ig_active_q;
  logic [7:0]  ig_n_q, ig_d_q, ig_dq_q, ig_dm_q, ig_cgi_q, ig_cc_q;
  logic [12:0] ig_cb;
  logic [3:0]  ig_rgi;
  logic        ig_last_pass, ig_adv;

  ey_pass_cnt u_ig_pass (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .init_i  (init_i),
    .adv_i   (ig_adv),
    .mb_n_i  (c.mb),
    .cb_n_i  (c.cb),
    .nrg_n_i (c.nrg),
    .mb_o    (),
    .cb_o    (ig_cb),
    .rgi_o   (ig_rgi),
    .first_o (),
    .last_o  (ig_last_pass),
    .block_last_o (),
    .idx_o   ()
  );
  logic [9:0]  ig_sp_q;
  logic [10:0] ig_col_q;
  logic signed [15:0] ig_hrow, ig_xcol;
  logic [15:0] ig_c;
  logic        ig_zero, ig_issue;
  logic        ig_end_cc, ig_end_cgi, ig_end_d, ig_end_col, ig_end_sp, ig_end_n;
  // Next diagonal: d+1, or the start of the next stride period when d+1 feeds no PE.
  logic [7:0]  ig_dm_inc, ig_dq_inc, ig_d_inc;
  logic [8:0]  ig_d_next;
  logic [7:0]  ig_dm_next, ig_dq_next;

  always_comb begin
    ig_dm_inc = ig_dm_q + 1'b1;
    ig_dq_inc = ig_dq_q;
    ig_d_inc  = ig_d_q + 1'b1;
    if (ig_dm_inc == 8'(c.uh)) begin
      ig_dm_inc = '0;
      ig_dq_inc = ig_dq_q + 1'b1;
    end
    ig_dm_next = ig_dm_inc;
    ig_dq_next = ig_dq_inc;
    ig_d_next  = {1'b0, ig_d_inc};
    if (ig_dq_inc < 8'(c.e) && ig_dm_inc >= 8'(c.rg)) begin
      ig_dm_next = '0;
      ig_dq_next = ig_dq_inc + 1'b1;
      ig_d_next  = 9'(ig_d_inc) + 9'(c.uh) - 9'(ig_dm_inc);
    end
  end

  // The loops, outermost first: filter block mb, channel block cb, filter-row group rgi (the
  // pass), image n, strip sp, column col, diagonal d (dq*uh + dm: dq or dm steps), channel set
  // cgi, channel cc. lv_X: this issue steps loop X (the loops inside it start over); in_X: a
  // loop outside X steps, so X starts over. Channel c = cb*r*q + cgi*q + cc, ifmap row
  // hrow = rgi*rg + sp*e*uh + d - pad_top and the GLB address
  // if_base + n*chw + c*hw + hrow*w + col - pad_left are sums of one term per loop, each
  // stepped by its constant (ey_run_consts) as its loop steps and cleared as a loop outside
  // it steps. (Words outside the ifmap are not read, so their address does not matter.)
  logic lv_cb, lv_rgi, lv_mb, lv_n, lv_sp, lv_d, lv_cgi, lv_cc, lv_dq;
  logic in_cb, in_rgi, in_n, in_sp, in_d, in_cgi, in_cc;
  assign lv_cc  = ig_issue && !ig_end_cc;
  assign lv_cgi = ig_issue && ig_end_cc && !ig_end_cgi;
  assign lv_d   = ig_issue && ig_end_cc && ig_end_cgi && !ig_end_d;
  assign lv_dq  = lv_d && ig_dq_next != ig_dq_q;
  assign lv_sp  = ig_issue && ig_end_cc && ig_end_cgi && ig_end_d && ig_end_col && !ig_end_sp;
  assign lv_n   = ig_issue && ig_end_cc && ig_end_cgi && ig_end_d && ig_end_col && ig_end_sp &&
                  !ig_end_n;
  // The pass steps as u_ig_pass does: rgi fastest.
  assign lv_rgi = ig_adv && ig_rgi != c.nrg - 1'b1;
  assign lv_cb  = ig_adv && ig_rgi == c.nrg - 1'b1 && ig_cb != c.cb - 1'b1;
  assign lv_mb  = ig_adv && ig_rgi == c.nrg - 1'b1 && ig_cb == c.cb - 1'b1;
  assign in_cb  = lv_mb;
  assign in_rgi = in_cb || lv_cb;
  assign in_n   = ig_adv;
  assign in_sp  = in_n || lv_n;
  // d starts over when col steps, which is any step outside d but those (sp and further out)
  // that already clear it.
  assign in_d   = ig_issue && ig_end_cc && ig_end_cgi && ig_end_d;
  assign in_cgi = in_d || lv_d;
  assign in_cc  = in_cgi || lv_cgi;

  logic [15:0] c_cb_q, c_cgi_q, h_sp_q;
  logic [9:0]  f_rgi_q;
  logic [IfAW-1:0] a_cb_q, a_rgi_q, a_n_q, a_sp_q, a_dq_q, a_dm_q, a_cgi_q, a_cc_q;
  always_ff @(posedge clk_i) begin
    if (!rst_ni || clr_i) begin
      {c_cb_q, c_cgi_q, h_sp_q, f_rgi_q} <= '0;
      {a_cb_q, a_rgi_q, a_n_q, a_sp_q, a_dq_q, a_dm_q, a_cgi_q, a_cc_q} <= '0;
    end else begin
      if (in_cb) begin
        c_cb_q <= '0;
        a_cb_q <= '0;
      end else if (lv_cb) begin
        c_cb_q <= c_cb_q + k_i.rq;
        a_cb_q <= a_cb_q + IfAW'(k_i.rq_hw);
      end
      if (in_rgi) begin
        f_rgi_q <= '0;
        a_rgi_q <= '0;
      end else if (lv_rgi) begin
        f_rgi_q <= f_rgi_q + 10'(c.rg);
        a_rgi_q <= a_rgi_q + IfAW'(k_i.rg_w);
      end
      if (in_n) a_n_q <= '0;
      else if (lv_n) a_n_q <= a_n_q + IfAW'(c.chw);
      if (in_sp) begin
        h_sp_q <= '0;
        a_sp_q <= '0;
      end else if (lv_sp) begin
        h_sp_q <= h_sp_q + k_i.e_uh;
        a_sp_q <= a_sp_q + IfAW'(k_i.euh_w);
      end
      if (in_d) begin
        a_dq_q <= '0;
        a_dm_q <= '0;
      end else if (lv_dq) begin
        a_dq_q <= a_dq_q + IfAW'(k_i.uh_w);
        a_dm_q <= '0;
      end else if (lv_d) begin
        a_dm_q <= a_dm_q + IfAW'(c.w);
      end
      if (in_cgi) begin
        c_cgi_q <= '0;
        a_cgi_q <= '0;
      end else if (lv_cgi) begin
        c_cgi_q <= c_cgi_q + 16'(c.q);
        a_cgi_q <= a_cgi_q + IfAW'(k_i.q_hw);
      end
      if (in_cc) a_cc_q <= '0;
      else if (lv_cc) a_cc_q <= a_cc_q + IfAW'(c.hw);
    end
  end

  assign ig_hrow = $signed(16'(f_rgi_q)) + $signed(h_sp_q) + $signed(16'(ig_d_q)) -
                   $signed(16'(c.pad_top));
  assign ig_xcol = $signed(16'(ig_col_q)) - $signed(16'(c.pad_left));
  assign ig_c    = c_cb_q + c_cgi_q + 16'(ig_cc_q);
  assign ig_zero = (ig_c >= 16'(c.cg)) || (ig_hrow < 0) || (ig_hrow >= $signed(16'(c.h))) ||
                   (ig_xcol < 0) || (ig_xcol >= $signed(16'(c.w)));
  assign glb_if_addr_o = IfAW'(c.if_base) - IfAW'(k_i.pt_w) + a_n_q + a_cb_q + a_cgi_q + a_cc_q +
                         a_rgi_q + a_sp_q + a_dq_q + a_dm_q + IfAW'(ig_xcol);

  assign ig_end_cc  = (ig_cc_q == 8'(c.q) - 1'b1);
  assign ig_end_cgi = (ig_cgi_q == 8'(c.r) - 1'b1);
  assign ig_end_d   = (ig_d_next > 9'(c.dmax));
  assign ig_end_col = (ig_col_q == c.wn - 1'b1);
  assign ig_end_sp  = (ig_sp_q == c.strips - 1'b1);
  assign ig_end_n   = (ig_n_q == c.n - 1'b1);
  assign ig_adv     = ig_issue && ig_end_cc && ig_end_cgi && ig_end_d && ig_end_col &&
                      ig_end_sp && ig_end_n;

  always_ff @(posedge clk_i) begin
    if (!rst_ni || clr_i) begin
      ig_active_q <= init_i;
      {ig_n_q, ig_d_q, ig_dq_q, ig_dm_q, ig_cgi_q, ig_cc_q} <= '0;
      ig_sp_q  <= '0;
      ig_col_q <= '0;
    end else if (ig_issue) begin
      if (!ig_end_cc) begin
        ig_cc_q <= ig_cc_q + 1'b1;
      end else begin
        ig_cc_q <= '0;
        if (!ig_end_cgi) begin
          ig_cgi_q <= ig_cgi_q + 1'b1;
        end else begin
          ig_cgi_q <= '0;
          if (!ig_end_d) begin
            ig_d_q  <= ig_d_next[7:0];
            ig_dq_q <= ig_dq_next;
            ig_dm_q <= ig_dm_next;
          end else begin
            ig_d_q  <= '0;
            ig_dq_q <= '0;
            ig_dm_q <= '0;
            if (!ig_end_col) begin
              ig_col_q <= ig_col_q + 1'b1;
            end else begin
              ig_col_q <= '0;
              if (!ig_end_sp) begin
                ig_sp_q <= ig_sp_q + 1'b1;
              end else begin
                ig_sp_q <= '0;
                if (!ig_end_n) begin
                  ig_n_q <= ig_n_q + 1'b1;
                end else begin
                  ig_n_q      <= '0;
                  ig_active_q <= !ig_last_pass;
                end
              end
            end
          end
        end
      end
    end
  end

  logic [2*IdW-1:0] ig_tag_out;
`ifdef EY_FAULT
  logic [DataW-1:0] if_data_raw;
`endif
  logic             ig_empty;
  ey_rd_port #(
    .TagW  (2 * IdW),
    .DataW (DataW)
  ) u_if_port (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .clr_i       (clr_i),
    .req_valid_i (ig_active_q),
    .req_zero_i  (ig_zero),
    .req_tag_i   ({IdW'(ig_cgi_q), IdW'(ig_d_q)}),
    .issue_o     (ig_issue),
    .mem_re_o    (glb_if_re_o),
    .mem_rdata_i (glb_if_rdata_i),
    .valid_o     (if_valid_o),
    .ready_i     (if_ready_i),
    .tag_o       (ig_tag_out),
`ifdef EY_FAULT
    .data_o      (if_data_raw),
`else
    .data_o      (if_data_o),
`endif
    .empty_o     (ig_empty)
  );

`ifdef EY_FAULT
  logic [63:0]      fault_word;
  logic [DataW-1:0] fault_mask;
  logic [63:0]      fault_cnt_q;  // words sent since reset
  /* verilator lint_off UNUSED */
  logic             fault_hit;
  /* verilator lint_on UNUSED */
  initial begin
    longint word;
    int bitn;
    fault_word = '1;
    fault_mask = '0;
    if ($value$plusargs("ey_fault_gin_word=%d", word) &&
        $value$plusargs("ey_fault_gin_bit=%d", bitn) && word >= 0 && bitn >= 0 &&
        bitn < int'(DataW)) begin
      fault_word = 64'(word);
      fault_mask = DataW'(1) << bitn;
    end
  end
  always_ff @(posedge clk_i) begin
    if (!rst_ni) fault_cnt_q <= '0;
    else if (if_valid_o && if_ready_i) fault_cnt_q <= fault_cnt_q + 64'd1;
  end
  assign fault_hit = if_valid_o && if_ready_i && fault_cnt_q == fault_word;
  assign if_data_o = if_data_raw ^ (fault_cnt_q == fault_word ? fault_mask : '0);
`endif
  assign if_row_o = ig_tag_out[IdW +: IdW];
  assign if_col_o = ig_tag_out[IdW-1:0];

  assign done_o = !ig_active_q && ig_empty;

`ifndef SYNTHESIS
  `EY_ASSERT_STREAM(IfStable, if_valid_o, if_ready_i, {if_row_o, if_col_o, if_data_o}, clr_i,
                    clk_i, rst_ni)
`endif

endmodule
