#pragma once
/// The orchestrator's run ledger: one JSON-lines file per run,
/// `<dir>/<run_id>.jsonl`, run_id = "<UTC %Y%m%dT%H%M%SZ>_<pipeline>". Each record
/// is written with one write(2) on an O_APPEND descriptor and fsync'd, so a run
/// that is killed leaves at worst a truncated last line, which readers ignore;
/// `--resume` reopens the file and appends. The lead's record kinds:
///   {"record":"run","event":"start"|"finish","pipeline","graph_file","status",...}
///   {"record":"stage","stage","status":"started|succeeded|failed|skipped|cached|resumed",
///    "duration_ms","attempt","artifacts":[{name,path,sha256,bytes}],"exit_code","log",
///    "fingerprint","message"}

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "orrery/core/errors.hpp"

namespace orrery::workflow {

namespace ledger_detail {

inline std::tm utc(std::chrono::system_clock::time_point t) {
    const std::time_t seconds = std::chrono::system_clock::to_time_t(t);
    std::tm out{};
    ::gmtime_r(&seconds, &out);
    return out;
}

inline std::string format_utc(std::chrono::system_clock::time_point t, const char* format) {
    const std::tm tm = utc(t);
    char buffer[64];
    return std::string(buffer, std::strftime(buffer, sizeof buffer, format, &tm));
}

/// A pipeline name as part of a file name: anything but [A-Za-z0-9._-] becomes '_'.
inline std::string file_safe(std::string_view name) {
    std::string out;
    for (char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
        out += ok ? c : '_';
    }
    if (out.empty() || out[0] == '.') out.insert(0, "run");
    return out;
}

inline std::string errno_text() { return std::strerror(errno); }

}  // namespace ledger_detail

/// ISO-8601 UTC with milliseconds, "2026-12-03T14:31:23.123Z" (sorts as text).
inline std::string iso8601_utc(std::chrono::system_clock::time_point t = std::chrono::system_clock::now()) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count() % 1000;
    char frac[8];
    std::snprintf(frac, sizeof frac, ".%03dZ", static_cast<int>(ms < 0 ? ms + 1000 : ms));
    return ledger_detail::format_utc(t, "%Y-%m-%dT%H:%M:%S") + frac;
}

class RunLedger {
public:
    /// A new ledger for a run of `pipeline`; "-2", "-3", ... is appended to the id
    /// when a run of the same pipeline started in the same second.
    static RunLedger create(const std::filesystem::path& dir, std::string_view pipeline,
                            std::chrono::system_clock::time_point now = std::chrono::system_clock::now()) {
        std::error_code ec;
        std::filesystem::create_directories(dir, ec);
        if (ec) throw ConfigError("cannot create the run directory " + dir.string() + ": " + ec.message());
        const std::string base = ledger_detail::format_utc(now, "%Y%m%dT%H%M%SZ") + "_" + ledger_detail::file_safe(pipeline);
        for (int n = 1; n < 10000; ++n) {
            std::string id = n == 1 ? base : base + "-" + std::to_string(n);
            const auto file = dir / (id + ".jsonl");
            const int fd = ::open(file.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
            if (fd >= 0) {
                sync_directory(dir);  // the new name survives a crash too, not just the records
                return RunLedger(dir, std::move(id), fd);
            }
            if (errno != EEXIST) throw ConfigError("cannot create the run ledger " + file.string() + ": " + ledger_detail::errno_text());
        }
        throw ConfigError("cannot create a run ledger in " + dir.string() + ": too many runs named " + base);
    }

    /// The ledger of an earlier run, to append to (`--resume`). A record cut short
    /// when that run was killed is removed first, so that appending leaves no
    /// corrupt line in the middle.
    static RunLedger reopen(const std::filesystem::path& dir, const std::string& run_id) {
        if (run_id.empty() || run_id.find('/') != std::string::npos) throw UsageError("'" + run_id + "' is not a run id");
        const auto file = dir / (run_id + ".jsonl");
        const int fd = ::open(file.c_str(), O_RDWR | O_APPEND | O_CLOEXEC);
        if (fd < 0) {
            if (errno == ENOENT) throw UsageError("no run '" + run_id + "' in " + dir.string());
            throw ConfigError("cannot open the run ledger " + file.string() + ": " + ledger_detail::errno_text());
        }
        RunLedger ledger(dir, run_id, fd);
        ledger.drop_partial_last_line();
        return ledger;
    }

    RunLedger(RunLedger&&) noexcept = default;
    RunLedger& operator=(RunLedger&&) noexcept = default;
    ~RunLedger() = default;

    [[nodiscard]] const std::string& run_id() const noexcept { return run_id_; }
    [[nodiscard]] std::filesystem::path path() const { return dir_ / (run_id_ + ".jsonl"); }

    /// Appends `record` as one line, adding "time" (ISO-8601 UTC) when it has none,
    /// and makes it durable before returning. Safe to call from many threads.
    void write(const nlohmann::json& record) {
        if (!record.is_object()) throw InternalError("a ledger record must be a JSON object, got " + record.dump());
        nlohmann::json stamped = record;
        if (!stamped.contains("time")) stamped["time"] = iso8601_utc();
        // Child output can contain invalid UTF-8 (a log excerpt in "message"): replace, never throw.
        std::string line = stamped.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        line += '\n';
        const std::lock_guard lock(file_->mutex);
        const char* p = line.data();
        std::size_t left = line.size();
        while (left > 0) {
            const ssize_t n = ::write(file_->fd, p, left);
            if (n < 0) {
                if (errno == EINTR) continue;
                throw StepError("cannot write to the run ledger " + path().string() + ": " + ledger_detail::errno_text());
            }
            p += n;
            left -= static_cast<std::size_t>(n);
        }
        if (::fsync(file_->fd) != 0) throw StepError("cannot sync the run ledger " + path().string() + ": " + ledger_detail::errno_text());
    }

private:
    struct File {
        int fd = -1;
        std::mutex mutex{};
        explicit File(int descriptor) : fd(descriptor) {}
        File(const File&) = delete;
        File& operator=(const File&) = delete;
        ~File() {
            if (fd >= 0) ::close(fd);
        }
    };

    RunLedger(std::filesystem::path dir, std::string run_id, int fd)
        : dir_(std::move(dir)), run_id_(std::move(run_id)), file_(std::make_unique<File>(fd)) {}

    static void sync_directory(const std::filesystem::path& dir) {
        const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) return;  // best effort: the records themselves are synced
        ::fsync(fd);
        ::close(fd);
    }

    void drop_partial_last_line() {
        struct stat st {};
        if (::fstat(file_->fd, &st) != 0 || st.st_size == 0) return;
        // Scan back from the end for the last newline, a block at a time.
        off_t end = st.st_size, keep = 0;
        char block[4096];
        while (end > 0) {
            const off_t start = std::max<off_t>(0, end - static_cast<off_t>(sizeof block));
            const ssize_t n = ::pread(file_->fd, block, static_cast<std::size_t>(end - start), start);
            if (n <= 0) return;
            ssize_t i = n;
            while (i > 0 && block[i - 1] != '\n') --i;
            if (i > 0) {
                keep = start + i;
                break;
            }
            end = start;
        }
        if (keep != st.st_size && ::ftruncate(file_->fd, keep) != 0)
            throw ConfigError("cannot repair the run ledger " + path().string() + ": " + ledger_detail::errno_text());
    }

    std::filesystem::path dir_{};
    std::string run_id_{};
    std::unique_ptr<File> file_{};
};

/// Every record of a ledger, in order. The last line may have been cut short (a
/// killed run): it is left out. Any other line that is not a JSON object is an
/// InputError "<file>:<line>: ...".
inline std::vector<nlohmann::json> read_ledger(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError("cannot read the run ledger " + path.string());
    std::ostringstream buffer;
    buffer << in.rdbuf();
    const std::string text = buffer.str();
    std::vector<nlohmann::json> records;
    std::size_t line_no = 0;
    for (std::size_t begin = 0; begin < text.size();) {
        std::size_t end = text.find('\n', begin);
        const bool complete = end != std::string::npos;
        if (!complete) end = text.size();
        ++line_no;
        const std::string_view line(text.data() + begin, end - begin);
        begin = end + 1;
        if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
        try {
            auto record = nlohmann::json::parse(line);
            if (!record.is_object()) throw InputError(path.string() + ":" + std::to_string(line_no) + ": a ledger record must be a JSON object");
            records.push_back(std::move(record));
        } catch (const nlohmann::json::parse_error& e) {
            if (!complete) break;  // the record being written when the run was killed
            std::string what = e.what();
            // "[json.exception.parse_error.101] parse error at line 1, column 9: x" -> "x"
            if (const auto column = what.find(", column "); column != std::string::npos)
                if (const auto colon = what.find(": ", column); colon != std::string::npos) what = what.substr(colon + 2);
            throw InputError(path.string() + ":" + std::to_string(line_no) + ": corrupt ledger record: " + what);
        }
    }
    return records;
}

/// One run, as `orrery graph logs` lists it.
struct LedgerRun {
    std::string run_id{};
    std::filesystem::path path{};
    std::string pipeline{};
    std::string started{};  // ISO-8601 UTC
    std::string status{};   // the finish record's status; "incomplete" without one; "corrupt" when unreadable
    std::map<std::string, std::size_t> stage_counts{};  // final status -> number of stages
    std::string problem{};  // why the ledger could not be read ("corrupt")
};

/// Summarises one run's records.
inline LedgerRun summarize_run(const std::string& run_id, const std::filesystem::path& path, const std::vector<nlohmann::json>& records) {
    LedgerRun run;
    run.run_id = run_id;
    run.path = path;
    run.status = "incomplete";
    std::map<std::string, std::string> last_status;
    for (const auto& r : records) {
        const std::string kind = r.value("record", std::string{});
        if (kind == "run") {
            const std::string event = r.value("event", std::string{});
            if (event == "start" && run.started.empty()) {
                run.started = r.value("time", std::string{});
                run.pipeline = r.value("pipeline", std::string{});
            } else if (event == "finish") {
                run.status = r.value("status", std::string("finished"));
            }
        } else if (kind == "stage" && r.contains("stage")) {
            last_status[r.value("stage", std::string{})] = r.value("status", std::string("unknown"));
        }
    }
    if (run.started.empty() && !records.empty()) run.started = records.front().value("time", std::string{});
    if (run.pipeline.empty())
        if (const auto underscore = run_id.find('_'); underscore != std::string::npos) run.pipeline = run_id.substr(underscore + 1);
    for (const auto& [stage, status] : last_status) ++run.stage_counts[status];
    return run;
}

/// Every run in `dir` (its *.jsonl files), oldest first, newest last. A ledger that
/// cannot be read is listed with status "corrupt" and the reason, not skipped.
inline std::vector<LedgerRun> list_runs(const std::filesystem::path& dir) {
    std::vector<LedgerRun> runs;
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) return runs;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
        if (entry.path().extension() != ".jsonl" || !entry.is_regular_file()) continue;
        const std::string id = entry.path().stem().string();
        try {
            runs.push_back(summarize_run(id, entry.path(), read_ledger(entry.path())));
        } catch (const Error& e) {
            LedgerRun broken = summarize_run(id, entry.path(), {});
            broken.status = "corrupt";
            broken.problem = e.what();
            runs.push_back(std::move(broken));
        }
    }
    if (ec) throw InputError("cannot list the run directory " + dir.string() + ": " + ec.message());
    // The run id begins with the start second; the start record's milliseconds
    // order runs within a second ("-2" runs and other pipelines alike).
    const auto key = [](const LedgerRun& r) { return std::make_pair(r.run_id.substr(0, r.run_id.find('_')), r.started); };
    std::sort(runs.begin(), runs.end(), [&key](const LedgerRun& a, const LedgerRun& b) {
        const auto ka = key(a), kb = key(b);
        return ka != kb ? ka < kb : a.run_id < b.run_id;
    });
    return runs;
}

/// The ledger of `run_id` in `dir` ("last": the newest run), if there is one.
inline std::optional<std::filesystem::path> find_run(const std::filesystem::path& dir, std::string_view run_id) {
    if (run_id == "last") {
        const auto runs = list_runs(dir);
        if (runs.empty()) return std::nullopt;
        return runs.back().path;
    }
    std::string id(run_id);
    if (id.size() > 6 && id.compare(id.size() - 6, 6, ".jsonl") == 0) id.resize(id.size() - 6);
    if (id.empty() || id.find('/') != std::string::npos) return std::nullopt;
    const auto file = dir / (id + ".jsonl");
    std::error_code ec;
    if (std::filesystem::is_regular_file(file, ec)) return file;
    return std::nullopt;
}

}  // namespace orrery::workflow
