// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Blame: from ALL the wrong outputs of a layer to the one unit that explains them, where
// locate.h places a single output. A broken unit leaves a signature in which outputs are
// wrong:
//   * a PE's drain adder (its psum output): every wrong output comes out of that one PE
//     (the top of its psum chain, locate.h), over many passes and input positions;
//   * an ifmap word as it was loaded (the DMA read path, or its GLB word): every output that
//     reads that ifmap element is wrong, over every pass that sends it;
//   * an ifmap word as it was delivered in one pass (the ifmap GIN's multicast, a PE's ifmap
//     spad): some of those outputs, all produced in that one pass, while other passes that
//     send the same element give right ones;
//   * a filter (its weights as loaded or delivered): the wrong outputs are all of one output
//     channel and share no input position;
//   * nothing single: the rest (reported as spread, with how far).
// For raw accumulators (no output path) and a candidate input position the channel is found
// too: the error of every wrong output must be that channel's weight times one constant (the
// corruption), as a MAC over one wrong input gives.
#ifndef EYELET_BLAME_H_
#define EYELET_BLAME_H_

#include <cstdint>
#include <optional>
#include <string>

#include "eyelet/locate.h"
#include "eyelet/mapping.h"
#include "eyelet/tensor.h"

namespace eyelet {

struct Blame {
  enum class Unit { kPe, kIfmapLoad, kIfmapPass, kFilter, kSpread };
  Unit unit = Unit::kSpread;
  int64_t wrong = 0;      // wrong outputs
  int pes = 0;            // distinct PEs (chain tops) that produced them
  int64_t first_pass = 0; // the passes (of the layer) they were produced in
  int64_t last_pass = 0;
  int passes = 0;         // distinct
  bool pooled = false;   // the outputs are pooled: each wrong one came from some CONV output
                         // of its window (only kPe and kSpread are told apart)
  int pe_row = -1;        // kPe: the PE
  int pe_col = -1;
  // kIfmapLoad, kIfmapPass: the ifmap element (n, c, h, w); c = -1 when the channel is not
  // resolved (outputs through an output path, or several channels fit). `dependents`: the
  // outputs that read that position (of any channel), `dependent_passes` the passes they take it
// in.
  int n = -1;
  int c = -1;
  int h = -1;
  int w = -1;
  bool padding = false;  // (h, w) is in the padding (h or w < 0 or past the ifmap)
  int64_t delta = 0;     // the corruption of the element, when the channel is resolved
  int64_t dependents = 0;
  int dependent_passes = 0;
  // The one pass the wrong outputs took the element in (locate.h UsePass; the pass they are
  // final in when the channel is not resolved), or -1: several.
  int64_t use_pass = -1;
  int64_t first_use_pass = -1;  // the first pass any output takes the element in (its load is
                                // before or in it)
  int64_t load_pass_from = 0;   // the first pass of the run before first_use_pass's: the element
                                // is loaded from there to first_use_pass
  int m = -1;  // kFilter: the output channel (filter) of every wrong output
  // "pe", "ifmap_load", "ifmap_pass", "filter", "spread".
  const char* UnitName() const;
  // One line for people: "PE (2, 3): all 100 wrong outputs came out of it, passes 0..5 (6)".
  std::string ToString() const;
};

// Blames the outputs where `got` differs from `want` (both layer.Out(): N x M x E x F, CONV
// outputs before any pooling) of `layer` run with the completed mapping `m` in chunks `t` on
// an array of hw's shape. `weights` (M x C/G x R x S), when given, are the layer's and `raw`
// says the outputs are its accumulators (no output path), so the channel can be resolved.
// Pooled outputs (layer.PooledOut(), or a standalone pooling's N x C x Ho x Wo as ReadOutput
// gives them) are blamed on the one PE every wrong output's window shares, when there is one.
// nullopt when nothing differs or the shapes are neither.
std::optional<Blame> BlameOutputs(const ConvLayer& layer, const RsMapping& m, const Tiling& t,
                                  const ArrayConfig& hw, const Tensor<int32_t>& want,
                                  const Tensor<int32_t>& got, const Tensor<int16_t>* weights,
                                  bool raw);

}  // namespace eyelet

#endif  // EYELET_BLAME_H_
