// Two kinds of failure cross the addon boundary: a UserError is something the user can
// fix (a bad parameter, a missing file, a library that is not a process) and becomes a
// one-line message with exit code 1; anything else is an internal error (exit code 2).
#pragma once

#include <stdexcept>
#include <string>

namespace madnis {

struct UserError : std::runtime_error {
  explicit UserError(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace madnis
