#pragma once
/// How a graph runs: failure policy, concurrency, deadline, clock and jitter source.

#include "orrery/graph/clock.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>

namespace orrery {

enum class FailurePolicy {
    fail_fast,          // the first failure cancels what has not started; running stages see ctx.cancelled()
    continue_on_error,  // everything not downstream of a failure runs; the run is DEGRADED
};

struct GraphOptions {
    FailurePolicy on_failure = FailurePolicy::fail_fast;
    /// Stages (and fan-out elements) running at once; 0 = the context's thread budget
    /// (Context::max_threads). Stages that wait on I/O may ask for more than the cores.
    int concurrency = 0;
    /// The whole run's time limit: when it passes, what has not started is cancelled and
    /// running stages see ctx.cancelled() / throw_if_cancelled().
    std::optional<std::chrono::milliseconds> deadline;
    /// Time source for backoff sleeps and timeouts (tests: ManualClock). Null = SteadyClock.
    std::shared_ptr<Clock> clock;
    /// Uniform samples in [0, 1) for backoff jitter. Null = a seeded generator per run.
    std::function<double()> jitter_source;
};

}  // namespace orrery
