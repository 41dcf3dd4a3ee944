// The config keys: one table (name, where, kind of value, required or its
// default, one-line doc). The reader takes its known keys and required keys
// from it, and README.md's key table is rendered from it (a test compares).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "convgen/pool_spec.h"

namespace convgen {

enum class KeyId {
  Namespace,
  TopIsa,
  Layers,
  Name,
  InputShape,
  InChannels,
  OutChannels,
  KernelSize,
  Stride,
  Padding,
  Dilation,
  Groups,
  Bias,
  PaddingMode,
  DType,
  Isa,
  Device,
  Weights,
  WeightsPrefix,
  BatchNorm,
  BnPrefix,
  BnEps,
  BnWeight,
  BnBias,
  BnRunningMean,
  BnRunningVar,
  PadTop,
  PadBottom,
  PadLeft,
  PadRight,
  // The non-conv ops' keys (pool_spec.h; which op takes which: opKeyTable()).
  Op,
  CeilMode,
  ReturnIndices,
  CountIncludePad,
  DivisorOverride,
  OutputSize,
  InFeatures,
  OutFeatures,
  Activation,
  Residual,
  Input,
  TopBackward,
  Network,
  Backward,
  OutputPadding,
};

// Where a key may appear: the top-level mapping, a layer's mapping, or a
// mapping one of a layer's keys takes (`batch_norm: {...}`, `padding: {...}`).
enum class KeyScope { Top, Layer, BatchNorm, Padding };

// How the reader reads the value.
enum class ValueKind {
  String,     // a string (a plain or quoted scalar, not null)
  Word,       // a string from a fixed list (padding_mode, dtype, isa, device)
  Int,        // one integer
  IntList,    // a list of integers
  IntOrPair,  // an integer, or a list of them (kernel_size, stride, dilation)
  Padding,    // an integer, a list of them, or a padding word
  Bool,       // true or false
  Backward,   // true, false or only (`backward`)
  LayerList,  // the list of layer mappings
  Float,      // one finite number
  FloatList,  // a list of finite numbers
  BatchNormMap,  // batch_norm's mapping (KeyScope::BatchNorm keys)
  Activation,  // a word, or a mapping {type: word, parameters} (config_activation.cpp)
};

struct ConfigKey {
  KeyId id;
  std::string_view name;
  KeyScope scope;
  ValueKind kind;
  bool required;
  std::string_view default_value;  // as a user would write it; "" when required
  std::string_view doc;            // one line
};

// Every key, top-level keys first, each scope in README order. A layer key's
// `required` is what conv2d requires (the default op); which keys each op
// takes and requires is opKeyTable()'s, which the reader follows.
const std::vector<ConfigKey>& configKeys();
// The row named `name` in `scope`, or nullptr.
const ConfigKey* findConfigKey(KeyScope scope, std::string_view name);

// The layer keys of one `op:`: those it requires and those it takes with a
// default. A key no row of the layer's op lists is an error at the key.
// Every layer key is taken by some op (config_test checks).
struct OpKeys {
  Op op;
  std::vector<KeyId> required;
  std::vector<KeyId> optional;
};
const std::vector<OpKeys>& opKeyTable();
const OpKeys& opKeys(Op op);
bool opTakes(Op op, KeyId key);
bool opRequires(Op op, KeyId key);

// What the value may be, in words, including the allowed words of a Word
// key (from the enumerations' own tables and isa.h).
std::string valueText(const ConfigKey& key);
// README.md's key table (the lines between its config-keys markers).
std::string configKeyTableMarkdown();

}  // namespace convgen
