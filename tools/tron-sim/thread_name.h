#pragma once
// Names the calling thread (visible in top -H, gdb, perf). Linux limits names to 15 characters;
// longer names are truncated. Never fails in a way that matters: naming is best effort.

#include <pthread.h>

#include <string>

namespace tronidx::sim {

inline void set_thread_name(const std::string& name) {
  const std::string shortened = name.substr(0, 15);
  pthread_setname_np(pthread_self(), shortened.c_str());
}

}  // namespace tronidx::sim
