// Waiting for SIGTERM/SIGINT in a program with many threads.
//
// BlockTerminationSignals() must run first in main(), before any thread starts (gRPC and the
// HTTP server start threads), so that every thread inherits the blocked mask and the signal is
// only ever taken by WaitForTerminationSignal() on the main thread — no signal handler runs.
#pragma once

namespace wissel::adapters {

// Blocks SIGTERM and SIGINT in the calling thread (and the threads it will start).
void BlockTerminationSignals();

// Blocks until SIGTERM or SIGINT arrives; returns the signal number.
int WaitForTerminationSignal();

}  // namespace wissel::adapters
