// The `key=value&key=value` parameters of a built-in process, validated: every key must
// be read by the process (so a typo is an error naming the allowed keys), every value
// must parse and lie in range.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

namespace madnis::builtin {

class Params {
 public:
  // Throws std::invalid_argument on syntax errors ("expected key=value, got 'x'").
  Params(const std::string& process_name, const char* text);

  double number(const std::string& key, double fallback, double min, double max);
  int integer(const std::string& key, int fallback, int min, int max);
  std::string choice(const std::string& key, const std::string& fallback,
                     const std::vector<std::string>& allowed);
  std::string text(const std::string& key, const std::string& fallback);

  // Throws std::invalid_argument for any key that no accessor asked for.
  void reject_unknown() const;

 private:
  [[noreturn]] void fail(const std::string& key, const std::string& value,
                         const std::string& expected) const;

  std::string process_;
  std::map<std::string, std::string> values_;
  std::set<std::string> known_;
};

}  // namespace madnis::builtin
