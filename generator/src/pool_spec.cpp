// The spellings of `op:` (see pool_spec.h).
#include "convgen/pool_spec.h"

#include "convgen/spec.h"

#include "convgen/internal_error.h"

namespace convgen {

const std::vector<OpName>& opNameTable() {
  static const std::vector<OpName> kTable = {
      {Op::Conv2d, "conv2d", "nn.Conv2d"},
      {Op::MaxPool2d, "max_pool2d", "nn.MaxPool2d"},
      {Op::AvgPool2d, "avg_pool2d", "nn.AvgPool2d"},
      {Op::AdaptiveAvgPool2d, "adaptive_avg_pool2d", "nn.AdaptiveAvgPool2d"},
      {Op::Linear, "linear", "nn.Linear"},
      {Op::ConvTranspose2d, "conv_transpose2d", "nn.ConvTranspose2d"}};
  return kTable;
}

std::optional<Op> parseOp(std::string_view word) {
  for (const OpName& row : opNameTable())
    if (row.name == word) return row.op;
  return std::nullopt;
}

std::string_view toString(Op op) {
  for (const OpName& row : opNameTable())
    if (row.op == op) return row.name;
  CONVGEN_CHECK(false, "an op missing from its spelling table");
  return "";
}

std::string opList(std::string_view quote) {
  std::string out;
  for (const OpName& row : opNameTable())
    out += (out.empty() ? "" : ", ") + std::string(quote) + std::string(row.name) +
           std::string(quote);
  return out;
}

std::vector<NodeRef> modelOrder(const ModelSpec& model) {
  if (!model.order.empty()) return model.order;
  std::vector<NodeRef> order;
  for (std::size_t i = 0; i < model.layers.size(); ++i) order.push_back({NodeRef::Kind::Conv, i});
  return order;
}

}  // namespace convgen
