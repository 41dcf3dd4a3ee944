// Formatting of generated code through libFormat, with the style checked in
// as templates/clang-format.yaml. Deterministic: the same input gives the
// same bytes on every machine (no .clang-format is looked up on disk).
//
//   file.content = convgen::formatGeneratedCode(file.content, file.name);
#pragma once

#include <string>
#include <string_view>

namespace convgen {

// The checked-in style (the text of templates/clang-format.yaml).
std::string_view generatedCodeStyle();

// `code` formatted with generatedCodeStyle(). `file_name` only tells
// libFormat the language (.h and .cpp are both C++). Formatting changes
// whitespace and comment line breaks only, never tokens; a style that does
// not parse is a convgen bug and aborts with a message.
std::string formatGeneratedCode(const std::string& code, const std::string& file_name);

// The same with another style (YAML, as in a .clang-format file); for tests.
std::string formatGeneratedCode(const std::string& code, const std::string& file_name,
                                std::string_view style_yaml);

}  // namespace convgen
