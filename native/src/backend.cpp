#include "backend.h"
#include "registry.h"

#include <stdexcept>

namespace madnis {

namespace {

// One line per backend (a GPU one would join it here).
const std::vector<const Backend*>& registry() {
  static const std::vector<const Backend*> backends{&cpu_backend()};
  return backends;
}

}  // namespace

std::vector<std::string> backend_names() { return names_of(registry()); }

const Backend& find_backend(const std::string& name) { return find_by_name(registry(), name, "network backend"); }

}  // namespace madnis
