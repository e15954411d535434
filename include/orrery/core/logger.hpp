#pragma once
// Logging interface. The default writes stpipe's format
// "%(asctime)s - %(name)s - %(levelname)s - %(message)s" to a stream.

#include <chrono>
#include <cstdio>
#include <ctime>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace orrery {

enum class LogLevel { debug = 10, info = 20, warning = 30, error = 40, critical = 50, off = 100 };

inline const char* level_name(LogLevel l) {
    switch (l) {
        case LogLevel::debug: return "DEBUG";
        case LogLevel::info: return "INFO";
        case LogLevel::warning: return "WARNING";
        case LogLevel::error: return "ERROR";
        case LogLevel::critical: return "CRITICAL";
        case LogLevel::off: return "OFF";
    }
    return "INFO";
}

class Logger {
public:
    virtual ~Logger() = default;
    virtual void log(LogLevel level, std::string_view name, std::string_view message) = 0;
    [[nodiscard]] virtual LogLevel threshold() const { return LogLevel::info; }
    [[nodiscard]] bool enabled(LogLevel l) const { return l >= threshold(); }
};

/// Writes formatted records to a FILE* (stderr by default); thread-safe.
class StreamLogger final : public Logger {
public:
    explicit StreamLogger(std::FILE* out = stderr, LogLevel threshold = LogLevel::info, bool owns = false)
        : out_(out), threshold_(threshold), owns_(owns) {}
    ~StreamLogger() override {
        if (owns_ && out_) std::fclose(out_);
    }
    StreamLogger(const StreamLogger&) = delete;
    StreamLogger& operator=(const StreamLogger&) = delete;

    void log(LogLevel level, std::string_view name, std::string_view message) override {
        if (!out_ || !enabled(level)) return;
        const auto now = std::chrono::system_clock::now();
        const std::time_t t = std::chrono::system_clock::to_time_t(now);
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
        std::tm tm{};
        localtime_r(&t, &tm);
        char stamp[32];
        std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &tm);
        std::lock_guard lock(mutex_);
        std::fprintf(out_, "%s,%03d - %.*s - %s - %.*s\n", stamp, static_cast<int>(ms), static_cast<int>(name.size()),
                     name.data(), level_name(level), static_cast<int>(message.size()), message.data());
        std::fflush(out_);
    }
    [[nodiscard]] LogLevel threshold() const override { return threshold_; }
    void set_threshold(LogLevel l) { threshold_ = l; }

private:
    std::FILE* out_;
    LogLevel threshold_;
    bool owns_;
    std::mutex mutex_;
};

/// Discards everything (--log-stream null, tests).
class NullLogger final : public Logger {
public:
    void log(LogLevel, std::string_view, std::string_view) override {}
    [[nodiscard]] LogLevel threshold() const override { return LogLevel::off; }
};

}  // namespace orrery
