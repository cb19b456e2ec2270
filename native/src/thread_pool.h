// A fixed set of worker threads that run chunked loops.
//
// Each worker has a stable index (0..size-1) so callers can keep per-thread state such
// as a process instance (MadGraph's Fortran is not re-entrant). Work is handed out in
// chunks; results that must be reproducible are stored per chunk and reduced in chunk
// order by the caller, so they do not depend on which thread ran which chunk.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace madnis {

class ThreadPool {
 public:
  explicit ThreadPool(int n_threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return int(workers_.size()) + 1; }

  // Calls body(chunk, thread_index) for every chunk in [0, n_chunks), on the workers and
  // the calling thread; returns when all are done. The first exception thrown by a
  // body is rethrown here (remaining chunks are skipped).
  void parallel_for(int64_t n_chunks, const std::function<void(int64_t, int)>& body);

 private:
  void worker_loop(int thread_index);
  void run_chunks(int thread_index);

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  const std::function<void(int64_t, int)>* body_ = nullptr;
  int64_t n_chunks_ = 0, next_chunk_ = 0;
  int busy_ = 0;
  uint64_t generation_ = 0;
  bool stopping_ = false;
  std::exception_ptr error_;
};

}  // namespace madnis
