// A shared library that exports no process ABI: the loader must say so.
extern "C" __attribute__((visibility("default"))) int madnis_fixture_answer(void) { return 42; }
