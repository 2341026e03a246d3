// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Store sequencer of the descriptor walker: writes a computed chunk's outputs from the psum
// banks through the output path (rtl/ey_ppu.sv, rtl/ey_maxpool.sv) to DRAM (NCHW), image by
// image, filter by filter, row by row. It runs beside the next chunk's loads; the next run
// waits for it (rtl/ey_run_seq.sv).
//
// Filter mm of the chunk is walked as (block, set column hs, chain v, filter k) and an ofmap
// row of the band as (strip, row j), so a psum sits in bank hs*e + j at
//   ((((blk*ncur + img)*sb + strip)*F + x)*tvc + v)*p + k,   tvc = the set column's chains.
// No counter holds blk, hs or strip: their offsets (and hs*e, hs*tv) are stepped by the
// chunk's strides (rtl/ey_store_consts.sv) as the walk crosses them.
// With one band it writes one transfer per image (all the chunk's planes); with several, one
// transfer per image and filter (the band's rows of the plane). A row's output-path table
// entry is read as the row starts; then one psum is read per cycle while the output path has
// room for it and everything in flight (out_room_i, a credit: the path never stalls). Pooled,
// the walk adds the -inf columns and rows that close the last windows (no psum read), and a
// band writes its pooled rows (none: no transfer).
`include "ey_assert.svh"

module ey_store_seq #(
  parameter int unsigned Cols      = 14,
  parameter int unsigned PsumWords = 1024,
  parameter int unsigned PpWords   = 512,
  parameter int unsigned PoolWords = 4096,
  parameter int unsigned AddrW     = 32,
  localparam int unsigned PsAW = $clog2(PsumWords),
  localparam int unsigned PpAW = $clog2(PpWords),
  localparam int unsigned PlAW = $clog2(PoolWords),
  localparam int unsigned ColW = (Cols > 1) ? $clog2(Cols) : 1
) (
  input  logic               clk_i,
  input  logic               rst_ni,
  input  logic               clr_i,            // abort

  // The computed chunk's outputs, from the run sequencer
  input  logic               job_valid_i,
  output logic               job_ready_o,
  input  ey_pkg::out_job_t   job_i,
  input  logic [PpAW-1:0]    job_tab_base_i,
  input  ey_pkg::store_consts_t job_k_i,     // its strides (ey_store_consts)
  input  logic               job_k_ready_i,

  input  ey_pkg::desc_t      desc_i,
  input  logic [19:0]        yplane_i,         // output words of one plane
  input  logic [1:0]         vcols_i,          // -inf columns past the ofmap (pooling)
  input  logic [1:0]         vrows_i,          // -inf rows past the ofmap (pooling)

  // Write DMA commands
  output logic               wr_cmd_valid_o,
  input  logic               wr_cmd_ready_i,
  output logic [AddrW-1:0]   wr_cmd_addr_o,
  output logic [31:0]        wr_cmd_len_o,

  // Psum bank reads (one cycle latency) and the output-path table read
  output logic               psum_re_o,
  output logic [ColW-1:0]    psum_bank_o,
  output logic [PsAW-1:0]    psum_raddr_o,
  output logic               tab_re_o,
  output logic [PpAW-1:0]    tab_raddr_o,

  // Outputs into the output path: one per cycle while out_room_i; each carries its ofmap row
  // (global, -inf rows past the ofmap included), column, line-buffer offset of its plane and
  // -inf flag (then no psum is read)
  output logic               out_valid_o,
  input  logic               out_room_i,
  output logic [10:0]        out_row_o,
  output logic [10:0]        out_col_o,
  output logic [PlAW-1:0]    out_lb_o,
  output logic               out_virt_o,
  input  logic               out_empty_i,      // the output path and its FIFO are empty

  // The stored band, for the pooling stage
  output logic [9:0]         band_row0_o,      // its first ofmap row
  output logic [9:0]         band_prow0_o,     // its first pooled row
  output logic [11:0]        band_prow0_end_o, // the ofmap row closing that one's windows

  output logic               idle_o
);

  typedef enum logic [2:0] {
    StIdle,       // no chunk
    StXferCmd,    // the write command of a transfer
    StRowStart,   // a row: its psum address, its table entry
    StRowRead,    // its psums, one per cycle with credit
    StDrain       // the last outputs pass the path and the FIFO into the DMA
  } store_state_e;
  store_state_e state_q, state_d;

  ey_pkg::desc_t d;
  assign d = desc_i;

  logic pool_on, one_band, int16_out;
  assign pool_on   = d.pool_kh != '0;
  assign one_band  = d.sb >= d.strips;
  assign int16_out = d.post[1];

  ey_pkg::out_job_t job_q, job_d;        // the stored chunk
  logic [PpAW-1:0]  tab_base_q, tab_base_d;
  logic             last_band_q, last_band_d;  // its band is the layer's last
  logic [7:0]       img_q, img_d;        // image of the chunk
  logic [7:0]       v_q, v_d;            // chain in the set column
  logic [5:0]       k_q, k_d;            // filter in the PE
  logic [12:0]      mm_q, mm_d;          // filter of the chunk
  logic [5:0]       j_q, j_d;            // row in the strip
  logic [10:0]      row_q, row_d;        // ofmap row in the band
  logic [10:0]      col_q, col_d;        // ofmap column
  logic [PsAW-1:0]  psum_addr_q, psum_addr_d;  // psum bank address of the current output
  logic [PsAW-1:0]  col_step_q, col_step_d;    // between a row's columns: tvc*p, set per row
  ey_pkg::store_consts_t sk_q, sk_d;           // the chunk's strides

  // Stepped with the loops, not multiplied: hs*tv, hs*e, v*p, the line-buffer offsets of the
  // image (img*mg + filt0)*pool_fo and of the plane (that + mm*pool_fo), and the psum-bank
  // offset idx*fo*tvc*p of the row block idx = (blk*ncur + img)*sb + strip, for a full set
  // column (_f) and for the last (_l), at the image (xi), block (xb) and strip (xs) levels.
  logic [15:0]      hs_tv_q, hs_tv_d;
  logic [ColW-1:0]  hs_e_q, hs_e_d;
  logic [PsAW-1:0]  vp_q, vp_d;
  logic [PlAW-1:0]  lbi_q, lbi_d, lb_q, lb_d;
  logic [PsAW-1:0]  xi_f_q, xi_f_d, xb_f_q, xb_f_d, xs_f_q, xs_f_d;
  logic [PsAW-1:0]  xi_l_q, xi_l_d, xb_l_q, xb_l_d, xs_l_q, xs_l_d;

  logic [10:0] ncols, nrows;   // columns and rows the store walks, -inf ones included
  logic        virt;           // the current element is a -inf one (no psum read)
  assign ncols = 11'(d.fo) + (pool_on ? 11'(vcols_i) : 11'd0);
  assign nrows = 11'(job_q.n_rows) + ((pool_on && last_band_q) ? 11'(vrows_i) : 11'd0);
  assign virt  = col_q >= 11'(d.fo) || row_q >= 11'(job_q.n_rows);

  logic            last_hs;     // the set column is the last, with tvl chains
  logic [PsAW-1:0] row_base;    // psum bank address of the row's first output
  assign last_hs  = hs_tv_q + 16'(d.tv) > 16'(d.t);
  assign row_base = (last_hs ? xs_l_q : xs_f_q) + vp_q + PsAW'(k_q) + PsAW'(job_q.ps_base);

  logic last_col, last_row, last_mm;
  assign last_col = 11'(col_q) == ncols - 11'd1;
  assign last_row = 11'(row_q) == nrows - 11'd1;
  assign last_mm  = mm_q == job_q.n_filts - 1'b1;

  // Outputs of image img0+img, filters filt0.. (one band) or filter filt0+mm, rows row0..;
  // pooled, the band's pooled rows. Words: a chunk's planes of an image (one band) or one
  // plane's band (none: no transfer).
  logic [31:0] y_len;
  assign wr_cmd_addr_o = AddrW'(d.y_addr) + AddrW'((((64'(job_q.img0) + 64'(img_q)) *
                         64'(d.groups) * 64'(d.mg) + 64'(job_q.group) * 64'(d.mg) +
                         64'(job_q.filt0) + (one_band ? 64'd0 : 64'(mm_q))) * 64'(yplane_i) +
                         (pool_on ? 64'(job_q.prow0) * 64'(d.pool_fo)
                                  : 64'(job_q.row0) * 64'(d.fo))) *
                         (int16_out ? 64'd2 : 64'd4));
  assign y_len = (one_band ? 32'(job_q.n_filts) * 32'(yplane_i)
                           : (pool_on ? 32'(job_q.n_prows) * 32'(d.pool_fo)
                                      : 32'(job_q.n_rows) * 32'(d.fo))) *
                 (int16_out ? 32'd1 : 32'd2);
  assign wr_cmd_len_o   = y_len;
  assign wr_cmd_valid_o = state_q == StXferCmd && y_len != '0;

  assign out_valid_o  = state_q == StRowRead && out_room_i;
  assign psum_re_o    = out_valid_o && !virt;
  assign psum_bank_o  = hs_e_q + ColW'(j_q);
  assign psum_raddr_o = psum_addr_q;
  assign tab_re_o     = state_q == StRowStart;
  assign tab_raddr_o  = tab_base_q + PpAW'(mm_q);

  assign out_row_o  = 11'(job_q.row0) + row_q;
  assign out_col_o  = col_q;
  assign out_lb_o   = one_band ? '0 : lb_q;
  assign out_virt_o = virt;

  assign job_ready_o = state_q == StIdle && job_k_ready_i;

  always_comb begin
    state_d     = state_q;
    job_d       = job_q;
    tab_base_d  = tab_base_q;
    last_band_d = last_band_q;
    img_d       = img_q;
    v_d         = v_q;
    k_d         = k_q;
    mm_d        = mm_q;
    j_d         = j_q;
    row_d       = row_q;
    col_d       = col_q;
    psum_addr_d = psum_addr_q;
    col_step_d  = col_step_q;
    sk_d        = sk_q;
    hs_tv_d = hs_tv_q; hs_e_d = hs_e_q; vp_d = vp_q; lbi_d = lbi_q; lb_d = lb_q;
    xi_f_d = xi_f_q; xb_f_d = xb_f_q; xs_f_d = xs_f_q;
    xi_l_d = xi_l_q; xb_l_d = xb_l_q; xs_l_d = xs_l_q;
    unique case (state_q)
      StIdle: if (job_valid_i && job_k_ready_i) begin
        job_d       = job_i;
        tab_base_d  = job_tab_base_i;
        sk_d        = job_k_i;
        hs_tv_d = '0; hs_e_d = '0; vp_d = '0;
        lbi_d   = PlAW'(job_k_i.lb0);
        lb_d    = PlAW'(job_k_i.lb0);
        xi_f_d = '0; xb_f_d = '0; xs_f_d = '0;
        xi_l_d = '0; xb_l_d = '0; xs_l_d = '0;
        last_band_d = 32'(job_i.row0) + 32'(job_i.n_rows) >= 32'(d.eo);
        img_d       = '0;
        v_d = '0; k_d = '0; mm_d = '0;
        j_d = '0; row_d = '0; col_d = '0;
        state_d = StXferCmd;
      end
      StXferCmd: if (wr_cmd_ready_i || y_len == '0) state_d = StRowStart;
      StRowStart: begin
        psum_addr_d = row_base;
        col_step_d  = PsAW'(last_hs ? sk_q.tvlp : sk_q.tvp);
        col_d       = '0;
        state_d     = StRowRead;
      end
      StRowRead: if (out_valid_o) begin
        if (!last_col) begin
          col_d       = col_q + 1'b1;
          psum_addr_d = psum_addr_q + col_step_q;
        end else begin
          state_d = StRowStart;
          if (!last_row) begin
            row_d = row_q + 1'b1;
            if (j_q == d.e - 1'b1) begin
              j_d     = '0;
              xs_f_d  = xs_f_q + PsAW'(sk_q.s_f);
              xs_l_d  = xs_l_q + PsAW'(sk_q.s_l);
            end else begin
              j_d = j_q + 1'b1;
            end
          end else begin
            row_d = '0; j_d = '0;
            xs_f_d = xb_f_q;
            xs_l_d = xb_l_q;
            if (!last_mm) begin
              mm_d = mm_q + 1'b1;
              lb_d = lb_q + PlAW'(d.pool_fo);
              if (!one_band) state_d = StXferCmd;  // one transfer per filter
              if (k_q == d.p - 1'b1) begin
                k_d = '0;
                vp_d = '0;
                if (hs_tv_q + 16'(v_q) == 16'(d.t) - 16'd1) begin
                  v_d     = '0;
                  hs_tv_d = '0;
                  hs_e_d  = '0;
                  xb_f_d  = xb_f_q + PsAW'(sk_q.b_f);
                  xb_l_d  = xb_l_q + PsAW'(sk_q.b_l);
                  xs_f_d  = xb_f_q + PsAW'(sk_q.b_f);
                  xs_l_d  = xb_l_q + PsAW'(sk_q.b_l);
                end else if (v_q == 8'(d.tv) - 8'd1) begin
                  v_d     = '0;
                  hs_tv_d = hs_tv_q + 16'(d.tv);
                  hs_e_d  = hs_e_q + ColW'(d.e);
                end else begin
                  v_d  = v_q + 1'b1;
                  vp_d = vp_q + PsAW'(d.p);
                end
              end else begin
                k_d = k_q + 1'b1;
              end
            end else if (img_q + 1'b1 == job_q.n_imgs) begin
              state_d = StDrain;
            end else begin
              img_d = img_q + 1'b1;
              v_d = '0; k_d = '0; mm_d = '0;
              hs_tv_d = '0; hs_e_d = '0; vp_d = '0;
              lbi_d  = lbi_q + PlAW'(sk_q.lb_img);
              lb_d   = lbi_q + PlAW'(sk_q.lb_img);
              xi_f_d = xi_f_q + PsAW'(sk_q.i_f);
              xi_l_d = xi_l_q + PsAW'(sk_q.i_l);
              xb_f_d = xi_f_q + PsAW'(sk_q.i_f);
              xb_l_d = xi_l_q + PsAW'(sk_q.i_l);
              xs_f_d = xi_f_q + PsAW'(sk_q.i_f);
              xs_l_d = xi_l_q + PsAW'(sk_q.i_l);
              state_d = StXferCmd;
            end
          end
        end
      end
      StDrain: if (out_empty_i) state_d = StIdle;
      default: state_d = StIdle;
    endcase
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni || clr_i) begin
      state_q     <= StIdle;
      job_q       <= '0;
      tab_base_q  <= '0;
      last_band_q <= 1'b0;
      img_q <= '0; v_q <= '0; k_q <= '0; mm_q <= '0;
      j_q <= '0; row_q <= '0; col_q <= '0; psum_addr_q <= '0;
      col_step_q <= '0;
      sk_q <= '0;
      hs_tv_q <= '0; hs_e_q <= '0; vp_q <= '0; lbi_q <= '0; lb_q <= '0;
      xi_f_q <= '0; xb_f_q <= '0; xs_f_q <= '0;
      xi_l_q <= '0; xb_l_q <= '0; xs_l_q <= '0;
    end else begin
      state_q     <= state_d;
      job_q       <= job_d;
      tab_base_q  <= tab_base_d;
      last_band_q <= last_band_d;
      img_q <= img_d; v_q <= v_d; k_q <= k_d; mm_q <= mm_d;
      j_q <= j_d; row_q <= row_d; col_q <= col_d;
      psum_addr_q <= psum_addr_d;
      col_step_q  <= col_step_d;
      sk_q        <= sk_d;
      hs_tv_q <= hs_tv_d; hs_e_q <= hs_e_d; vp_q <= vp_d; lbi_q <= lbi_d; lb_q <= lb_d;
      xi_f_q <= xi_f_d; xb_f_q <= xb_f_d; xs_f_q <= xs_f_d;
      xi_l_q <= xi_l_d; xb_l_q <= xb_l_d; xs_l_q <= xs_l_d;
    end
  end

  assign band_row0_o      = job_q.row0;
  assign band_prow0_o     = job_q.prow0;
  assign band_prow0_end_o = job_q.prow0_end;
  assign idle_o           = state_q == StIdle;

`ifndef SYNTHESIS
  // Functional cover points (make coverage; docs/coverage.md).
  `EY_COVER(CovStoreCreditStall, state_q == StRowRead && !out_room_i, clk_i, rst_ni)
  `EY_COVER(CovStoreNegInfElement, out_valid_o && virt, clk_i, rst_ni)
  `EY_COVER(CovStoreUpperPsumHalf, state_q == StRowStart && job_q.ps_base != '0, clk_i, rst_ni)
  `EY_COVER(CovStoreCmdBackPressure, wr_cmd_valid_o && !wr_cmd_ready_i, clk_i, rst_ni)
  `EY_COVER(CovStoreInt16, state_q == StXferCmd && int16_out, clk_i, rst_ni)
  `EY_COVER(CovStoreInt32, state_q == StXferCmd && !int16_out, clk_i, rst_ni)
  `EY_COVER(CovStorePooledBands, state_q == StXferCmd && pool_on && !one_band, clk_i, rst_ni)

  // The chunk's strides are computed during its run, which takes longer (ey_store_consts).
  `EY_ASSERT(StoreConstsInTime, job_valid_i |-> job_k_ready_i, clk_i, rst_ni)
  `EY_ASSERT_STREAM(WrCmdHeld, wr_cmd_valid_o, wr_cmd_ready_i, {wr_cmd_addr_o, wr_cmd_len_o},
                    clr_i, clk_i, rst_ni)
`endif

endmodule
