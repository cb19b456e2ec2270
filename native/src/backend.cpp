#include "backend.h"

#include <stdexcept>

namespace madnis {

namespace {

// One line per backend (a GPU one would join it here).
const std::vector<const Backend*>& registry() {
  static const std::vector<const Backend*> backends{&cpu_backend()};
  return backends;
}

}  // namespace

std::vector<std::string> backend_names() {
  std::vector<std::string> names;
  for (const Backend* backend : registry()) names.push_back(backend->name());
  return names;
}

const Backend& find_backend(const std::string& name) {
  for (const Backend* backend : registry())
    if (name == backend->name()) return *backend;
  std::string known;
  for (const std::string& n : backend_names()) known += (known.empty() ? "" : ", ") + n;
  throw std::invalid_argument("unknown network backend '" + name + "' (known: " + known + ")");
}

}  // namespace madnis
