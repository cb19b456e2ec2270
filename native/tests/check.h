// A minimal test harness for the native core: each TEST registers itself, main() runs
// them all and prints "N passed, M failed".
#pragma once

#include <cmath>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

namespace madnis::test {

struct Failure {
  std::string message;
};

// Thrown by SKIP: the test cannot run here (e.g. missing shared data); it is reported.
struct Skipped {
  std::string reason;
};

struct Registry {
  static std::vector<std::pair<std::string, std::function<void()>>>& tests() {
    static std::vector<std::pair<std::string, std::function<void()>>> all;
    return all;
  }
};

struct Register {
  Register(const char* name, std::function<void()> body) { Registry::tests().emplace_back(name, std::move(body)); }
};

inline void check(bool ok, const char* expr, const char* file, int line, const std::string& detail = "") {
  if (ok) return;
  std::ostringstream message;
  message << file << ":" << line << ": check failed: " << expr;
  if (!detail.empty()) message << " (" << detail << ")";
  throw Failure{message.str()};
}

}  // namespace madnis::test

#define MADNIS_CONCAT_(a, b) a##b
#define MADNIS_CONCAT(a, b) MADNIS_CONCAT_(a, b)
#define TEST(name)                                                                          \
  static void name();                                                                       \
  static madnis::test::Register MADNIS_CONCAT(register_, name)(#name, name);                \
  static void name()
#define SKIP(reason) throw madnis::test::Skipped{reason}
#define CHECK(expr) madnis::test::check(bool(expr), #expr, __FILE__, __LINE__)
#define CHECK_NEAR(a, b, tol)                                                               \
  do {                                                                                      \
    const double a_ = (a), b_ = (b);                                                        \
    std::ostringstream d_;                                                                  \
    d_.precision(17);                                                                       \
    d_ << a_ << " vs " << b_;                                                               \
    madnis::test::check(std::abs(a_ - b_) <= (tol), #a " ~ " #b, __FILE__, __LINE__, d_.str()); \
  } while (0)
