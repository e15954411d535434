// `orrery logs [--ledger DIR] [--json] [run-id | last]`: read the run ledger.
// Without a run id: one line per run (newest last). With one (a unique prefix
// is enough; "last" is the newest): the run's step records, one per line, and
// its summary. --json prints the raw JSON lines instead.

#include "commands.hpp"
#include "exit_codes.hpp"
#include "ledger.hpp"
#include "progress.hpp"

#include "orrery/core/errors.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <span>
#include <string>
#include <vector>

namespace orrery::cli {

namespace {

std::vector<nlohmann::json> read_ledger(const std::filesystem::path& file) {
    std::vector<nlohmann::json> out;
    std::ifstream in(file);
    if (!in) throw InputError("ledger " + file.string() + ": cannot be read");
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
        ++n;
        if (line.empty()) continue;
        try {
            out.push_back(nlohmann::json::parse(line));
        } catch (const nlohmann::json::exception& e) {
            throw InputError("ledger " + file.string() + ":" + std::to_string(n) + ": not a JSON record (" + e.what() + ")");
        }
    }
    return out;
}

std::string jstr(const nlohmann::json& j, const char* key) {
    if (!j.contains(key) || j[key].is_null()) return {};
    return j[key].is_string() ? j[key].get<std::string>() : j[key].dump();
}

double jnum(const nlohmann::json& j, const char* key) {
    return j.contains(key) && j[key].is_number() ? j[key].get<double>() : 0.0;
}

}  // namespace

int logs_command(std::span<const std::string> args, Streams io) {
    std::filesystem::path dir = ".orrery-runs";
    std::string id;
    bool raw = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "-h" || a == "--help") {
            io.out << "usage: orrery logs [--ledger DIR] [--json] [run-id | last]\n";
            return exit_success;
        } else if (a == "--json") {
            raw = true;
        } else if (a == "--ledger") {
            if (i + 1 >= args.size()) throw UsageError("logs: --ledger needs a value");
            dir = args[++i];
        } else if (a.rfind("--ledger=", 0) == 0) {
            dir = a.substr(9);
        } else if (!a.empty() && a[0] == '-') {
            throw UsageError("logs: unknown option '" + a + "'");
        } else if (!id.empty()) {
            throw UsageError("logs: one run id only");
        } else {
            id = a;
        }
    }
    std::error_code ec;
    std::vector<std::filesystem::path> runs;
    if (std::filesystem::is_directory(dir, ec))
        for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
            if (entry.path().extension() == ".jsonl") runs.push_back(entry.path());
    std::sort(runs.begin(), runs.end());

    if (id.empty()) {
        if (runs.empty()) {
            io.err << "(no runs in " << dir.string() << ")\n";
            return exit_success;
        }
        for (const auto& file : runs) {
            const auto records = read_ledger(file);
            std::string status = "incomplete", target, duration;
            int steps = 0;
            for (const auto& r : records) {
                if (jstr(r, "record") == "step") ++steps;
                if (jstr(r, "record") == "run") {
                    status = jstr(r, "status");
                    target = jstr(r, "target");
                    duration = format_seconds(jnum(r, "duration_s"));
                }
            }
            io.out << file.stem().string() << "  " << status << "  " << target << "  " << steps << (steps == 1 ? " step" : " steps")
                   << (duration.empty() ? "" : "  " + duration) << "\n";
        }
        return exit_success;
    }

    std::filesystem::path file;
    if (id == "last" || id == "latest") {
        if (runs.empty()) throw UsageError("logs: no runs in " + dir.string());
        file = runs.back();
    } else {
        std::vector<std::filesystem::path> hits;
        for (const auto& r : runs)
            if (r.stem().string().rfind(id, 0) == 0) hits.push_back(r);
        if (hits.empty()) throw UsageError("logs: no run '" + id + "' in " + dir.string() + " (see 'orrery logs')");
        if (hits.size() > 1) throw UsageError("logs: run id prefix '" + id + "' is ambiguous (" + std::to_string(hits.size()) + " runs)");
        file = hits.front();
    }
    const auto records = read_ledger(file);
    if (raw) {
        for (const auto& r : records) io.out << r.dump() << "\n";
        return exit_success;
    }
    io.out << "run " << file.stem().string() << " (" << file.string() << ")\n";
    for (const auto& r : records) {
        const std::string kind = jstr(r, "record");
        if (kind == "step") {
            std::string pos;
            // Appended piece by piece: GCC 12 at -O3 gives a false -Wrestrict for "[" + string.
            if (jnum(r, "total") > 0) pos.append("[").append(jstr(r, "index")).append("/").append(jstr(r, "total")).append("] ");
            io.out << "  " << pos << jstr(r, "step") << "  " << jstr(r, "status") << "  " << format_seconds(jnum(r, "duration_s"))
                   << "  " << jstr(r, "params_digest");
            if (r.contains("outputs"))
                for (const auto& o : r["outputs"]) io.out << "  -> " << jstr(o, "path");
            io.out << "\n";
            if (const auto err = jstr(r, "error"); !err.empty()) io.out << "      error: " << err << "\n";
        } else if (kind == "input") {
            io.out << "  input " << jstr(r, "path") << ": " << jstr(r, "status");
            if (const auto err = jstr(r, "error"); !err.empty()) io.out << " (" << err << ")";
            io.out << "\n";
        } else if (kind == "run") {
            io.out << "  run " << jstr(r, "status") << ", exit " << jstr(r, "exit_code") << ", "
                   << format_seconds(jnum(r, "duration_s")) << ", started " << jstr(r, "start") << "\n";
        }
    }
    return exit_success;
}

}  // namespace orrery::cli
