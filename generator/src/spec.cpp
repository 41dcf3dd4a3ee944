// The enumerations' spellings: one table each (see spec.h).
#include "convgen/spec.h"

#include "convgen/internal_error.h"

namespace convgen {
namespace {

// The row of `table` whose `field` is `key`; tables are tiny.
template <typename Row, typename Key, typename Field>
const Row* findRow(const std::vector<Row>& table, Field Row::*field, const Key& key) {
  for (const Row& row : table)
    if (row.*field == key) return &row;
  return nullptr;
}

template <typename Row, typename E>
const Row& rowOf(const std::vector<Row>& table, E Row::*field, E value) {
  const Row* row = findRow(table, field, value);
  CONVGEN_CHECK(row != nullptr, "an enumerator missing from its spelling table");
  return *row;
}

template <typename Row>
std::string nameList(const std::vector<Row>& table, std::string_view quote,
                     bool (*keep)(const Row&) = nullptr) {
  std::string out;
  for (const Row& row : table) {
    if (keep && !keep(row)) continue;
    if (!out.empty()) out += ", ";
    out += std::string(quote) + std::string(row.name) + std::string(quote);
  }
  return out;
}

}  // namespace

const std::vector<PaddingModeName>& paddingModeTable() {
  static const std::vector<PaddingModeName> kTable = {{PaddingMode::Zeros, "zeros"},
                                                      {PaddingMode::Reflect, "reflect"},
                                                      {PaddingMode::Replicate, "replicate"},
                                                      {PaddingMode::Circular, "circular"}};
  return kTable;
}

const std::vector<DTypeName>& dtypeTable() {
  static const std::vector<DTypeName> kTable = {{DType::Float32, "float32", "float", "Float"},
                                                {DType::Float64, "float64", "double", "Double"},
                                                {DType::Int32, "int32", "std::int32_t", "Int"},
                                                {DType::Int64, "int64", "std::int64_t", "Long"}};
  return kTable;
}

const std::vector<PaddingWord>& paddingWordTable() {
  // PyTorch's message lists {'valid', 'same'} in this order.
  static const std::vector<PaddingWord> kTable = {{PaddingKind::Valid, "valid", true},
                                                  {PaddingKind::Same, "same", true},
                                                  {PaddingKind::Explicit, "explicit", false}};
  return kTable;
}

const std::vector<ActivationName>& activationTable() {
  // name, negative_slope, min/max, integer dtypes, PyTorch's kernel name
  static const std::vector<ActivationName> kTable = {
      {Activation::None, "none", false, false, true, ""},
      {Activation::Relu, "relu", false, false, true, ""},
      {Activation::Relu6, "relu6", false, false, true, ""},
      {Activation::LeakyRelu, "leaky_relu", true, false, false, "leaky_relu_cpu"},
      {Activation::Clamp, "clamp", false, true, true, ""},
      {Activation::Hardswish, "hardswish", false, false, false, "hardswish_cpu"}};
  return kTable;
}

std::optional<Activation> parseActivation(std::string_view word) {
  const ActivationName* row = findRow(activationTable(), &ActivationName::name, word);
  return row ? std::optional<Activation>(row->activation) : std::nullopt;
}
std::string activationList(std::string_view quote) { return nameList(activationTable(), quote); }
std::string_view toString(Activation a) {
  return rowOf(activationTable(), &ActivationName::activation, a).name;
}
const ActivationName& activationInfo(Activation a) {
  return rowOf(activationTable(), &ActivationName::activation, a);
}

std::optional<PaddingMode> parsePaddingMode(std::string_view word) {
  const PaddingModeName* row = findRow(paddingModeTable(), &PaddingModeName::name, word);
  return row ? std::optional<PaddingMode>(row->mode) : std::nullopt;
}

std::optional<DType> parseDType(std::string_view word) {
  const DTypeName* row = findRow(dtypeTable(), &DTypeName::name, word);
  return row ? std::optional<DType>(row->dtype) : std::nullopt;
}

std::optional<PaddingKind> parsePaddingWord(std::string_view word) {
  const PaddingWord* row = findRow(paddingWordTable(), &PaddingWord::name, word);
  return row && row->in_config ? std::optional<PaddingKind>(row->kind) : std::nullopt;
}

std::string paddingModeList(std::string_view quote) { return nameList(paddingModeTable(), quote); }
std::string dtypeList(std::string_view quote) { return nameList(dtypeTable(), quote); }
std::string paddingWordList(std::string_view quote) {
  return nameList<PaddingWord>(paddingWordTable(), quote,
                               [](const PaddingWord& w) { return w.in_config; });
}

std::string_view toString(PaddingMode m) {
  return rowOf(paddingModeTable(), &PaddingModeName::mode, m).name;
}
std::string_view toString(DType t) { return rowOf(dtypeTable(), &DTypeName::dtype, t).name; }
std::string_view toString(PaddingKind k) {
  return rowOf(paddingWordTable(), &PaddingWord::kind, k).name;
}
std::string_view cppType(DType t) { return rowOf(dtypeTable(), &DTypeName::dtype, t).cpp_type; }
std::string_view torchTypeName(DType t) {
  return rowOf(dtypeTable(), &DTypeName::dtype, t).torch_name;
}

}  // namespace convgen
