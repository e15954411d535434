#pragma once
/// Per-stage retry policy: how many attempts, the exponential backoff between them
/// (capped, with optional jitter), which failures are worth another attempt, and
/// how long one attempt may take.

#include "orrery/core/stage_result.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <optional>
#include <string>

namespace orrery {

struct RetryPolicy {
    int max_attempts = 1;                                       // 1 = no retry
    std::chrono::milliseconds initial_backoff{100};             // before the 2nd attempt
    double multiplier = 2.0;                                    // each later wait = previous * multiplier
    std::chrono::milliseconds max_backoff{30'000};              // cap of one wait
    double jitter = 0.0;                                        // 0..1: wait *= 1 + jitter * (2u - 1), u uniform in [0, 1)
    std::function<bool(const StageFailure&)> retry_on{};        // null: every failure but a cancellation
    std::optional<std::chrono::milliseconds> attempt_timeout{}; // per attempt; none = unbounded

    /// Should a failure of attempt `attempt` (1-based) be followed by another?
    [[nodiscard]] bool should_retry(const StageFailure& f, int attempt) const {
        if (attempt >= max_attempts || f.category == "cancelled") return false;
        return !retry_on || retry_on(f);
    }
};

/// The wait after failed attempt `attempt` (1-based): initial * multiplier^(attempt-1),
/// capped, then jittered by `unit` (a uniform sample in [0, 1)) and capped again.
inline std::chrono::milliseconds backoff_delay(const RetryPolicy& p, int attempt, double unit = 0.5) {
    const double base = static_cast<double>(p.initial_backoff.count()) * std::pow(p.multiplier, std::max(0, attempt - 1));
    const double cap = static_cast<double>(p.max_backoff.count());
    double wait = std::min(base, cap);
    if (p.jitter > 0) wait *= 1.0 + std::clamp(p.jitter, 0.0, 1.0) * (2.0 * unit - 1.0);
    return std::chrono::milliseconds(static_cast<long long>(std::llround(std::clamp(wait, 0.0, cap))));
}

/// Checked when a graph is built: one line naming the stage and the field.
inline std::string retry_policy_problem(const RetryPolicy& p) {
    if (p.max_attempts < 1) return "retry.max_attempts must be at least 1 (is " + std::to_string(p.max_attempts) + ")";
    if (p.initial_backoff.count() < 0) return "retry.initial_backoff must not be negative";
    if (!(p.multiplier >= 1.0)) return "retry.multiplier must be at least 1";
    if (p.max_backoff < p.initial_backoff) return "retry.max_backoff must not be below retry.initial_backoff";
    if (!(p.jitter >= 0.0 && p.jitter <= 1.0)) return "retry.jitter must be within [0, 1]";
    if (p.attempt_timeout && p.attempt_timeout->count() <= 0) return "retry.attempt_timeout must be positive";
    return {};
}

}  // namespace orrery
