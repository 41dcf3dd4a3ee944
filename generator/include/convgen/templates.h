// The fixed text of generated files lives in templates/*.in, embedded into
// convgen at build time. A template is text with {{name}} placeholders;
// lines starting with "{{!" are comments stating the template's
// preconditions (the emitter checks them before rendering).
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace convgen {

using TemplateValues = std::map<std::string, std::string>;

// Renders template `name`. Every placeholder must have a value and every
// value must be used: a mismatch is a convgen bug and aborts with a message.
std::string renderTemplate(std::string_view name, const TemplateValues& values);

// The template's text as embedded (for tests).
std::string_view templateText(std::string_view name);

}  // namespace convgen
