#include "base/termination.h"

#include <pthread.h>
#include <signal.h>  // NOLINT(modernize-deprecated-headers): POSIX sigwait, pthread_sigmask

namespace wissel::base {
namespace {

sigset_t SignalSet(std::initializer_list<int> signals) {
  sigset_t set;
  sigemptyset(&set);
  for (const int signal_number : signals) sigaddset(&set, signal_number);
  return set;
}

}  // namespace

void BlockSignals(std::initializer_list<int> signals) {
  const sigset_t set = SignalSet(signals);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int WaitForSignal(std::initializer_list<int> signals) {
  const sigset_t set = SignalSet(signals);
  int signal_number = 0;
  while (sigwait(&set, &signal_number) != 0) {
  }
  return signal_number;
}

}  // namespace wissel::base
