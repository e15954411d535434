#pragma once
/// The time source of a graph run: retry backoff sleeps and timeouts go through it,
/// so tests replace it with a ManualClock and check the schedule without sleeping.

#include <algorithm>
#include <chrono>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace orrery {

class Clock {
public:
    using duration = std::chrono::steady_clock::duration;
    using time_point = std::chrono::steady_clock::time_point;
    virtual ~Clock() = default;
    [[nodiscard]] virtual time_point now() const = 0;
    /// Wait `d`, returning early (false) when `stop()` becomes true.
    virtual bool sleep_for(duration d, const std::function<bool()>& stop) = 0;
};

/// The real clock; sleeps in short slices so a cancelled run stops waiting quickly.
class SteadyClock final : public Clock {
public:
    [[nodiscard]] time_point now() const override { return std::chrono::steady_clock::now(); }
    bool sleep_for(duration d, const std::function<bool()>& stop) override {
        const auto end = now() + d;
        constexpr auto slice = std::chrono::milliseconds(5);
        while (now() < end) {
            if (stop && stop()) return false;
            std::this_thread::sleep_for(std::min<duration>(slice, end - now()));
        }
        return true;
    }
};

/// A clock that moves only when told: sleeping advances it at once and records the
/// requested delay, so a backoff schedule is checked exactly and instantly.
class ManualClock final : public Clock {
public:
    [[nodiscard]] time_point now() const override {
        std::lock_guard lock(mutex_);
        return now_;
    }
    bool sleep_for(duration d, const std::function<bool()>& stop) override {
        std::lock_guard lock(mutex_);
        sleeps_.push_back(d);
        now_ += d;
        return !(stop && stop());
    }
    void advance(duration d) {
        std::lock_guard lock(mutex_);
        now_ += d;
    }
    [[nodiscard]] std::vector<duration> sleeps() const {
        std::lock_guard lock(mutex_);
        return sleeps_;
    }

private:
    mutable std::mutex mutex_;
    time_point now_{};
    std::vector<duration> sleeps_;
};

}  // namespace orrery
