// The run's logger from the stpipe logging flags (see logging.hpp).

#include "logging.hpp"

#include "orrery/core/errors.hpp"
#include "orrery/core/logger.hpp"

#include <cctype>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace orrery::cli {

namespace {

/// Sends each record to several loggers.
class TeeLogger final : public Logger {
public:
    explicit TeeLogger(std::vector<std::shared_ptr<Logger>> sinks, LogLevel threshold) : sinks_(std::move(sinks)), threshold_(threshold) {}
    void log(LogLevel level, std::string_view name, std::string_view message) override {
        for (auto& s : sinks_) s->log(level, name, message);
    }
    [[nodiscard]] LogLevel threshold() const override { return threshold_; }

private:
    std::vector<std::shared_ptr<Logger>> sinks_;
    LogLevel threshold_;
};

}  // namespace

LogLevel parse_log_level(const std::string& text) {
    std::string t;
    for (char c : text) t += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (t == "DEBUG") return LogLevel::debug;
    if (t == "INFO") return LogLevel::info;
    if (t == "WARNING" || t == "WARN") return LogLevel::warning;
    if (t == "ERROR") return LogLevel::error;
    if (t == "CRITICAL" || t == "FATAL") return LogLevel::critical;
    throw UsageError("--log-level: '" + text + "' is not one of DEBUG, INFO, WARNING, ERROR, CRITICAL");
}

std::shared_ptr<Logger> make_logger(const Options& o) {
    LogLevel level = LogLevel::info;
    if (o.log_level) level = parse_log_level(*o.log_level);
    if (o.verbose) level = LogLevel::debug;

    std::shared_ptr<Logger> stream;
    if (o.log_stream) {
        const std::string& s = *o.log_stream;
        if (s == "stderr") stream = std::make_shared<StreamLogger>(stderr, level);
        else if (s == "stdout") stream = std::make_shared<StreamLogger>(stdout, level);
        else if (s != "null") throw UsageError("--log-stream: '" + s + "' is not one of stdout, stderr, null");
    }
    if (!o.log_file) return stream ? stream : (o.log_stream ? std::shared_ptr<Logger>(std::make_shared<NullLogger>())
                                                             : std::make_shared<StreamLogger>(stderr, level));
    std::FILE* f = std::fopen(o.log_file->c_str(), "w");
    if (!f) throw UsageError("--log-file: cannot open " + *o.log_file + " for writing");
    auto file = std::make_shared<StreamLogger>(f, level, true);
    if (!stream) return file;
    return std::make_shared<TeeLogger>(std::vector<std::shared_ptr<Logger>>{file, stream}, level);
}

}  // namespace orrery::cli
