#include "convgen/report.h"

#include <algorithm>
#include <string>
#include <vector>

#include "convgen/shapes.h"
#include "llvm/Support/Format.h"

namespace convgen {
namespace {

std::string dims(const std::vector<std::int64_t>& shape) {
  std::string s;
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? "x" : "") + std::to_string(shape[i]);
  return s.empty() ? "-" : s;
}

std::vector<std::string> poolShapesRow(const PoolSpec& p) {
  std::vector<std::int64_t> in = {p.channels, p.in_height, p.in_width};
  std::vector<std::int64_t> out = {p.channels, p.out_height, p.out_width};
  if (p.batched) in.insert(in.begin(), p.batch), out.insert(out.begin(), p.batch);
  const std::string h = std::to_string(p.pad_h), w = std::to_string(p.pad_w);
  return {p.name + " (" + std::string(toString(p.op)) + ")", dims(in), dims(out),
          h + "/" + h + "/" + w + "/" + w, "-", "-", "0", "0"};
}

// A pooling layer's plan in the text report.
void printPoolReport(const PoolPlan& p, std::int64_t lines, llvm::raw_ostream& os) {
  os << p.pool.name << ": " << toString(p.pool.op) << ", " << toString(p.isa) << " code, "
     << lines << " lines\n"
     << "  interior window " << p.rows.taps << "x" << p.cols.taps << " taps, "
     << (p.unrolled ? "unrolled" : "loops") << "; border windows "
     << (p.rows.table && p.cols.table ? "tabled" : "computed");
  if (p.lanes)
    os << "; columns [" << p.vector_cols.lo << ", " << p.vector_cols.hi << ") in vectors of "
       << p.lanes;
  os << "\n"
     << "  interior rows [" << p.rows.interior.lo << ", " << p.rows.interior.hi << ") x cols ["
     << p.cols.interior.lo << ", " << p.cols.interior.hi << "), " << p.border_pixels
     << " border pixels per plane\n";
}

}  // namespace

void printShapesTable(const ModelSpec& model, llvm::raw_ostream& os) {
  const std::vector<std::string> header = {"layer",  "input", "output", "pad t/b/l/r",
                                           "weight", "bias",  "params", "MACs"};
  std::vector<std::vector<std::string>> rows;
  std::int64_t total_params = 0, total_macs = 0;
  for (const NodeRef& node : modelOrder(model)) {
    if (node.kind == NodeRef::Kind::Pool) {  // no weights, no multiply-accumulates
      rows.push_back(poolShapesRow(model.pools[node.index]));
      continue;
    }
    const LayerSpec& layer = model.layers[node.index];
    const LayerShapes s = inferShapes(layer);
    total_params += s.params;
    total_macs += s.macs;
    // linear: nn.Linear's [N, out_features] (it runs as a conv over the whole input).
    const bool linear = layer.source_op == Op::Linear;
    rows.push_back({linear ? layer.name + " (linear)" : layer.name, dims(s.input),
                    dims(linear ? std::vector<std::int64_t>{layer.batch, layer.out_channels}
                                : s.output),
                    std::to_string(s.pad.top) + "/" + std::to_string(s.pad.bottom) + "/" +
                        std::to_string(s.pad.left) + "/" + std::to_string(s.pad.right),
                    dims(s.weight), dims(s.bias), std::to_string(s.params),
                    std::to_string(s.macs)});
  }
  rows.push_back({"total (" + std::to_string(model.layers.size() + model.pools.size()) + " layers)", "", "", "", "", "",
                  std::to_string(total_params), std::to_string(total_macs)});

  std::vector<std::size_t> width(header.size());
  for (std::size_t c = 0; c < header.size(); ++c) {
    width[c] = header[c].size();
    for (const auto& row : rows) width[c] = std::max(width[c], row[c].size());
  }
  // Numbers right-aligned, text left-aligned.
  auto print_row = [&](const std::vector<std::string>& row) {
    for (std::size_t c = 0; c < row.size(); ++c) {
      const bool numeric = c >= 6;
      if (c) os << "  ";
      os << (numeric ? llvm::right_justify(row[c], width[c])
                     : llvm::left_justify(row[c], width[c]));
    }
    os << "\n";
  };
  os << model.config_name << " (namespace " << model.cpp_namespace << ")\n";
  print_row(header);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (i + 1 == rows.size()) {
      std::size_t total = 2 * (width.size() - 1);
      for (std::size_t w : width) total += w;
      os << std::string(total, '-') << "\n";
    }
    print_row(rows[i]);
  }
}

void printGenerationReport(const GeneratedModel& generated, llvm::raw_ostream& os) {
  for (std::size_t i = 0; i < generated.plans.size(); ++i) {
    const KernelPlan& p = generated.plans[i];
    if (p.layer.backward_only) {  // no forward plan: the gradients' ISA and size
      os << p.layer.name << ": backward only (backward_input, backward_weight"
         << (p.layer.bias ? ", backward_bias" : "") << "; no forward)"
         << (p.layer.source_op == Op::Linear ? " (linear, as a conv over the whole input)" : "")
         << "\n  " << toString(p.isa) << " code, " << generated.layer_lines[i] << " lines, "
         << p.shapes.macs << " MACs per gradient\n";
      continue;
    }
    const KernelName n = p.name();
    const std::int64_t columns = n.strategy == Strategy::DirectVector ? n.lanes * n.vec_tile : n.ow_tile;
    os << p.layer.name << ": " << encode(n)
       << (p.layer.source_op == Op::Linear ? " (linear, as a conv over the whole input)" : "")
       << (p.view ? " (conv_transpose2d: forward is the stride-phase gather of this conv, "
                    "whose input gradient it is; the plan below is that conv's forward, "
                    "emitted as backward_input with backward: true)"
                  : "")
       << "\n"
       << "  strategy " << p.strategyName() << ", " << generated.layer_lines[i] << " lines, "
       << p.localArrayBytes() << " bytes of local arrays\n"
       << "  tile " << n.oc_tile << " output channels x " << columns << " columns"
       << (n.deinterleaved ? " from stride-2 rows split into even/odd columns" : "")
       << ", window unroll "
       << toString(n.window) << ", largest unrolled function " << p.unrolled_statements
       << " multiply-adds\n"
       << "  interior rows [" << p.rows.lo << ", " << p.rows.hi << ") x cols [" << p.cols.lo << ", "
       << p.cols.hi << "), " << p.border_pixels << " border pixels per plane, " << p.shapes.macs
       << " MACs\n";
    if (p.packed && p.packed->ci_blocking) {
      const CiBlocking& b = *p.packed->ci_blocking;
      const std::int64_t cg = p.layer.in_channels / p.layer.groups;
      os << "  forward_packed " << p.packedKernelName() << ": input channels in blocks of "
         << b.channels << " (of " << cg << "), whose packed weights stay in L1 for a row's tiles; "
         << b.scratch_floats * 4 << " bytes of partial sums\n";
    }
    if (!p.bands.empty()) {
      std::int64_t widest = 0;
      for (std::size_t b = 1; b < p.bands.size(); ++b)
        widest = std::max(widest, p.bands[b] - p.bands[b - 1]);
      os << "  " << p.bands.size() - 1 << " row bands of up to " << widest
         << " output rows: every output-channel block of a band reads its input rows from L2\n";
    }
  }
  for (std::size_t i = 0; i < generated.pool_plans.size(); ++i)
    printPoolReport(generated.pool_plans[i], generated.pool_lines[i], os);
  for (const GeneratedFile& f : generated.files)
    os << f.name << ": " << std::count(f.content.begin(), f.content.end(), '\n') << " lines, "
       << f.content.size() << " bytes\n";
}

}  // namespace convgen
