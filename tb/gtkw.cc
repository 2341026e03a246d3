// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
#include "gtkw.h"

#include <gtkwave/fstapi.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "eyelet/error.h"

namespace eyelet {

namespace {

struct Var {
  std::string scope;  // "TOP.ey_top.u_walker"
  std::string name;   // "state_q[2:0]" (GTKWave's spelling of a vector)
  uint32_t width;
};

// Every variable of the trace, with its scope, in the file's order (aliases too: a signal
// that equals another is listed under its own name).
std::vector<Var> ReadVars(const std::string& fst_path) {
  void* ctx = fstReaderOpen(fst_path.c_str());
  if (ctx == nullptr) {
    throw FileError("cannot read the FST trace '" + fst_path + "' to lay out its signals");
  }
  std::vector<Var> vars;
  std::vector<std::string> scopes;
  while (fstHier* h = fstReaderIterateHier(ctx)) {
    if (h->htyp == FST_HT_SCOPE) {
      scopes.emplace_back(h->u.scope.name, h->u.scope.name_length);
    } else if (h->htyp == FST_HT_UPSCOPE) {
      if (!scopes.empty()) scopes.pop_back();
    } else if (h->htyp == FST_HT_VAR) {
      std::string scope;
      for (const std::string& s : scopes) scope += (scope.empty() ? "" : ".") + s;
      std::string name(h->u.var.name, h->u.var.name_length);
      const size_t space = name.find(' ');  // "addr [11:0]" -> "addr[11:0]"
      if (space != std::string::npos) name.erase(space, 1);
      vars.push_back({scope, name, h->u.var.length});
    }
  }
  fstReaderClose(ctx);
  return vars;
}

// The signal's base name, without its bit range.
std::string Base(const std::string& name) { return name.substr(0, name.find('[')); }

struct Group {
  std::string title;
  std::vector<const Var*> vars;
};

}  // namespace

std::vector<std::string> TraceSignals(const std::string& fst_path) {
  std::vector<std::string> names;
  for (const Var& v : ReadVars(fst_path)) names.push_back(v.scope + "." + v.name);
  return names;
}

std::string GtkwPathFor(const std::string& fst_path) {
  const std::string ext = ".fst";
  if (fst_path.size() > ext.size() &&
      fst_path.compare(fst_path.size() - ext.size(), ext.size(), ext) == 0) {
    return fst_path.substr(0, fst_path.size() - ext.size()) + ".gtkw";
  }
  return fst_path + ".gtkw";
}

int WriteGtkw(const std::string& fst_path, const std::string& gtkw_path, const GtkwOptions& o) {
  const std::vector<Var> vars = ReadVars(fst_path);
  const std::string top = "TOP.ey_top";
  // (title, scopes whose own signals qualify, name pattern)
  struct Rule {
    std::string title;
    std::vector<std::string> scopes;
    std::regex pattern;
  };
  const std::regex handshake("(.*_(valid|ready)(_[io])?)|(.*(start|done|busy|idle|last).*)");
  const std::vector<Rule> rules = {
      {"Walker",
       {top + ".u_walker", top + ".u_walker.u_desc_check", top + ".u_walker.u_load_seq",
        top + ".u_walker.u_run_seq", top + ".u_walker.u_store_seq"},
       std::regex("(.*state_q.*)|(.*_(valid|ready)(_[io])?)|(.*(busy|done|idle|err_code|"
                  "abort|last).*)")},
      {"Pass controller", {top + ".u_core.u_ctrl"},
       std::regex("(.*state_q.*)|(.*pass.*)|(.*(start|done|busy).*)")},
      {"DMA read", {"TOP", top + ".u_dma_rd"},
       std::regex("(m_axi_(ar|r).*)|(.*state_q.*)|(.*cmd_(valid|ready|len|addr).*)")},
      {"DMA write", {"TOP", top + ".u_dma_wr"},
       std::regex("(m_axi_(aw|w|b).*)|(.*state_q.*)|(.*cmd_(valid|ready|len|addr).*)")},
      {"NoC (GIN, GON, local network)", {top + ".u_core.u_array"}, handshake},
      {"CSRs and interrupt",
       {"TOP", top + ".u_csr"},
       std::regex("(irq.*)|(s_axil_.*)|(.*(ctrl|status|desc_base|err|start|busy).*)")},
  };
  std::vector<Group> groups;
  for (const Rule& r : rules) {
    Group g{r.title, {}};
    for (const Var& v : vars) {
      bool in_scope = false;
      for (const std::string& s : r.scopes) in_scope |= v.scope == s;
      if (in_scope && std::regex_match(Base(v.name), r.pattern)) g.vars.push_back(&v);
    }
    if (r.title == "DMA read" || r.title == "DMA write") {  // the top's ports only by name
      std::vector<const Var*> keep;
      for (const Var* v : g.vars) {
        if (v->scope != "TOP" || Base(v->name).rfind("m_axi_", 0) == 0) keep.push_back(v);
      }
      g.vars = keep;
    }
    if (!g.vars.empty()) groups.push_back(std::move(g));
  }
  // The PE: the one asked for, else the first in the trace.
  std::string pe_scope;
  if (o.pe_row >= 0 && o.pe_col >= 0) {
    pe_scope = top + ".u_core.u_array.g_row[" + std::to_string(o.pe_row) + "].g_col[" +
               std::to_string(o.pe_col) + "].u_pe";
  } else {
    for (const Var& v : vars) {
      const size_t at = v.scope.find(".u_pe");
      if (at != std::string::npos) {
        pe_scope = v.scope.substr(0, at + 5);
        break;
      }
    }
  }
  if (!pe_scope.empty()) {
    std::smatch m;
    const std::regex rc(R"(g_row\[(\d+)\]\.g_col\[(\d+)\])");
    std::string title = "PE";
    if (std::regex_search(pe_scope, m, rc)) title += " (" + m[1].str() + ", " + m[2].str() + ")";
    Group g{title, {}};
    for (const Var& v : vars) {
      if (v.scope == pe_scope) g.vars.push_back(&v);
    }
    if (!g.vars.empty()) groups.push_back(std::move(g));
  }

  std::ofstream f(gtkw_path + ".tmp");
  f << "[*] Eyelet: signals of " << fst_path << " grouped by unit (tb/gtkw.h)\n";
  f << "[dumpfile] \"" << fst_path << "\"\n";
  f << "[timestart] " << 2 * o.first_cycle << "\n";
  f << "[size] 1600 1000\n[pos] 0 0\n[sst_width] 220\n[signals_width] 300\n";
  // Zoom (GTKWave's: at -4 about 10 pixels per time unit, halving per step) so the window
  // fills the ~1000 pixels of the waves pane; primary marker, then the named markers A..Z.
  const double span = o.last_cycle > o.first_cycle ? 2.0 * (o.last_cycle - o.first_cycle) : 200;
  char zoom[32];
  std::snprintf(zoom, sizeof(zoom), "%.6f", -4.0 - std::log2(10.0 * span / 1000.0));
  f << "*" << zoom << " " << 2 * o.first_cycle << " " << 2 * o.first_cycle << " "
    << (o.last_cycle ? std::to_string(2 * o.last_cycle) : std::string("-1"));
  for (int i = 2; i < 26; ++i) f << " -1";
  f << "\n";
  int listed = 0;
  for (const Group& g : groups) {
    f << "@800200\n-" << g.title << "\n";
    for (const Var* v : g.vars) {
      f << (v->width == 1 ? "@28\n" : "@22\n") << v->scope << "." << v->name << "\n";
      ++listed;
    }
    f << "@1000200\n-" << g.title << "\n";
  }
  f.close();
  if (!f || std::rename((gtkw_path + ".tmp").c_str(), gtkw_path.c_str()) != 0) {
    throw FileError("cannot write the GTKWave save file '" + gtkw_path + "'");
  }
  return listed;
}

}  // namespace eyelet
