// The config keys: one table (name, where, kind of value, required or its
// default, one-line doc). The reader takes its known keys and required keys
// from it, and README.md's key table is rendered from it (a test compares).
#pragma once

#include <string>
#include <string_view>
#include <vector>

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
  TopBackward,
  Backward,
};

// Where a key may appear: the top-level mapping, or a layer's mapping.
enum class KeyScope { Top, Layer };

// How the reader reads the value.
enum class ValueKind {
  String,     // a string (a plain or quoted scalar, not null)
  Word,       // a string from a fixed list (padding_mode, dtype, isa, device)
  Int,        // one integer
  IntList,    // a list of integers
  IntOrPair,  // an integer, or a list of them (kernel_size, stride, dilation)
  Padding,    // an integer, a list of them, or a padding word
  Bool,       // true or false
  LayerList,  // the list of layer mappings
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

// Every key, top-level keys first, each scope in README order.
const std::vector<ConfigKey>& configKeys();
// The row named `name` in `scope`, or nullptr.
const ConfigKey* findConfigKey(KeyScope scope, std::string_view name);

// What the value may be, in words, including the allowed words of a Word
// key (from the enumerations' own tables and isa.h).
std::string valueText(const ConfigKey& key);
// README.md's key table (the lines between its config-keys markers).
std::string configKeyTableMarkdown();

}  // namespace convgen
