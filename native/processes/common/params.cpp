#include "params.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <sstream>
#include <stdexcept>

namespace madnis::builtin {

Params::Params(const std::string& process_name, const char* text) : process_(process_name) {
  std::string all = text ? text : "";
  size_t start = 0;
  while (start <= all.size() && !all.empty()) {
    size_t end = all.find('&', start);
    if (end == std::string::npos) end = all.size();
    const std::string item = all.substr(start, end - start);
    if (!item.empty()) {
      const size_t eq = item.find('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 == item.size())
        throw std::invalid_argument("builtin:" + process_ + ": expected key=value, got '" + item + "'");
      const std::string key = item.substr(0, eq);
      if (values_.count(key))
        throw std::invalid_argument("builtin:" + process_ + ": parameter '" + key + "' given twice");
      values_[key] = item.substr(eq + 1);
    }
    start = end + 1;
  }
}

void Params::fail(const std::string& key, const std::string& value, const std::string& expected) const {
  throw std::invalid_argument("builtin:" + process_ + ": bad value '" + value + "' for '" + key +
                              "': expected " + expected);
}

double Params::number(const std::string& key, double fallback, double min, double max) {
  known_.insert(key);
  auto it = values_.find(key);
  if (it == values_.end()) return fallback;
  const char* begin = it->second.c_str();
  char* end = nullptr;
  errno = 0;
  const double value = std::strtod(begin, &end);
  std::ostringstream range;
  range << "a number in [" << min << ", " << max << "]";
  if (end == begin || *end != '\0' || errno != 0 || !std::isfinite(value) || value < min || value > max)
    fail(key, it->second, range.str());
  return value;
}

int Params::integer(const std::string& key, int fallback, int min, int max) {
  known_.insert(key);
  auto it = values_.find(key);
  if (it == values_.end()) return fallback;
  const char* begin = it->second.c_str();
  char* end = nullptr;
  errno = 0;
  const long value = std::strtol(begin, &end, 10);
  if (end == begin || *end != '\0' || errno != 0 || value < min || value > max)
    fail(key, it->second, "an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]");
  return int(value);
}

std::string Params::choice(const std::string& key, const std::string& fallback,
                           const std::vector<std::string>& allowed) {
  known_.insert(key);
  auto it = values_.find(key);
  if (it == values_.end()) return fallback;
  for (const auto& a : allowed)
    if (a == it->second) return a;
  std::string list;
  for (size_t i = 0; i < allowed.size(); ++i) list += (i ? " | " : "") + allowed[i];
  fail(key, it->second, "one of " + list);
}

std::string Params::text(const std::string& key, const std::string& fallback) {
  known_.insert(key);
  auto it = values_.find(key);
  return it == values_.end() ? fallback : it->second;
}

void Params::reject_unknown() const {
  for (const auto& [key, value] : values_) {
    if (known_.count(key)) continue;
    std::string list;
    for (const auto& k : known_) list += (list.empty() ? "" : ", ") + k;
    throw std::invalid_argument("builtin:" + process_ + ": unknown parameter '" + key +
                                "' (known: " + list + ")");
  }
}

}  // namespace madnis::builtin
