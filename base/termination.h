// Taking process signals synchronously in a program with many threads.
//
// BlockSignals() runs first in main(), before any thread starts (gRPC, HTTP servers and worker
// pools start threads), so that every thread inherits the blocked mask and a signal is only ever
// taken by WaitForSignal() on the thread that waits for it: no signal handler runs, and what
// follows a signal (draining, reloading, cancelling calls) may take locks and call any code.
//
// Thread-safety: BlockSignals() affects the calling thread and the threads it starts later;
// WaitForSignal() may be called from any thread whose mask blocks the signals.
#pragma once

#include <csignal>
#include <initializer_list>

namespace wissel::base {

// The signals that end a server: SIGTERM (Kubernetes, systemd) and SIGINT (Ctrl-C).
inline constexpr std::initializer_list<int> kTerminationSignals = {SIGTERM, SIGINT};

// Blocks `signals` in the calling thread (and the threads it will start).
void BlockSignals(std::initializer_list<int> signals);

// Blocks until one of `signals` (which must be blocked) arrives; returns its number.
int WaitForSignal(std::initializer_list<int> signals);

// BlockSignals(kTerminationSignals) / WaitForSignal(kTerminationSignals).
inline void BlockTerminationSignals() { BlockSignals(kTerminationSignals); }
inline int WaitForTerminationSignal() { return WaitForSignal(kTerminationSignals); }

}  // namespace wissel::base
