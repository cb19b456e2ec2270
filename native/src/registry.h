// Things found by name (losses, network backends): an explicit table of entries, each with
// name(), looked up with an error that lists the known names. An explicit table, not
// self-registration at static initialisation: the core is a static library, and the linker
// drops object files nothing refers to.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace madnis {

template <typename T>
std::vector<std::string> names_of(const std::vector<const T*>& entries) {
  std::vector<std::string> names;
  for (const T* entry : entries) names.push_back(entry->name());
  return names;
}

// The entry called `name`; std::invalid_argument "unknown <what> '<name>' (known: …)" otherwise.
template <typename T>
const T& find_by_name(const std::vector<const T*>& entries, const std::string& name, const char* what) {
  for (const T* entry : entries)
    if (name == entry->name()) return *entry;
  std::string known;
  for (const std::string& n : names_of(entries)) known += (known.empty() ? "" : ", ") + n;
  throw std::invalid_argument(std::string("unknown ") + what + " '" + name + "' (known: " + known + ")");
}

}  // namespace madnis
