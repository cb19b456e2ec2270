#include <cstdio>
#include <cstring>

#include "check.h"

int main(int argc, char** argv) {
  const char* only = argc > 1 ? argv[1] : nullptr;
  int passed = 0, failed = 0, skipped = 0;
  for (auto& [name, body] : madnis::test::Registry::tests()) {
    if (only && !std::strstr(name.c_str(), only)) continue;
    try {
      body();
      ++passed;
      std::printf("ok   %s\n", name.c_str());
    } catch (const madnis::test::Skipped& s) {
      ++skipped;
      std::printf("skip %s: %s\n", name.c_str(), s.reason.c_str());
    } catch (const madnis::test::Failure& f) {
      ++failed;
      std::printf("FAIL %s: %s\n", name.c_str(), f.message.c_str());
    } catch (const std::exception& e) {
      ++failed;
      std::printf("FAIL %s: exception: %s\n", name.c_str(), e.what());
    }
  }
  std::printf("native: %d passed, %d failed, %d skipped\n", passed, failed, skipped);
  return failed ? 1 : 0;
}
