#pragma once
/// The `filesystem` adapter: file operations confined to one root directory, so a
/// graph file cannot write outside its project by accident ("../" or an absolute
/// path leaving the root is an error naming the path). Writes are atomic: the text
/// goes to a temporary file in the same directory, then rename() replaces the
/// target, so a reader never sees half a file.
///
///   adapters: { filesystem: { root: "." } }

#include "orrery/core/context.hpp"
#include "orrery/core/errors.hpp"
#include "orrery/workflow/adapter.hpp"
#include "orrery/workflow/adapter_registry.hpp"

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace orrery::workflow {

class FilesystemAdapter : public Adapter {
public:
    static constexpr std::string_view description = "File operations confined to a root directory, with atomic writes";

    [[nodiscard]] std::string name() const override { return "filesystem"; }
    [[nodiscard]] nlohmann::json config_schema() const override {
        return {{"$schema", "http://json-schema.org/draft-07/schema#"},
                {"type", "object"},
                {"additionalProperties", false},
                {"properties", {{"root", {{"type", "string"}, {"default", "."}, {"description", "Directory every path is relative to and confined to"}}}}}};
    }
    [[nodiscard]] nlohmann::json defaults() const override { return {{"root", "."}}; }

    [[nodiscard]] std::vector<std::string> path_keys() const override { return {"root"}; }

    void configure(const nlohmann::json& user_config) override {
        Adapter::configure(user_config);
        root_ = std::filesystem::absolute(config_string("root")).lexically_normal();
    }
    void initialize(Context& ctx) override {
        std::error_code ec;
        if (!std::filesystem::is_directory(root_, ec))
            throw ConfigError("adapter 'filesystem': root " + root_.string() + " is not a directory");
        root_ = std::filesystem::canonical(root_);
        register_as<FilesystemAdapter>(ctx);
    }
    [[nodiscard]] std::optional<std::string> value(std::string_view key) const override {
        if (key == "root") return root_.string();
        return std::nullopt;
    }

    [[nodiscard]] const std::filesystem::path& root() const noexcept { return root_; }

    /// `relative` resolved under the root; an InputError naming it when it leaves the root.
    [[nodiscard]] std::filesystem::path resolve(const std::filesystem::path& relative) const {
        const std::filesystem::path full = (root_ / relative).lexically_normal();
        const auto rel = full.lexically_relative(root_);
        if (rel.empty() || *rel.begin() == "..")
            throw InputError("filesystem: the path '" + relative.string() + "' leaves the root " + root_.string());
        return rel == "." ? root_ : root_ / rel;  // no trailing separator: "a/" and "a" are one path
    }
    [[nodiscard]] bool exists(const std::filesystem::path& relative) const {
        std::error_code ec;
        return std::filesystem::exists(resolve(relative), ec);
    }
    [[nodiscard]] std::string read_text(const std::filesystem::path& relative) const {
        const auto path = resolve(relative);
        std::ifstream in(path, std::ios::binary);
        if (!in) throw InputError("filesystem: cannot read " + path.string());
        return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    /// Replace (or create) the file atomically; parent directories are created.
    void write_text(const std::filesystem::path& relative, std::string_view text) const {
        const auto path = resolve(relative);
        std::error_code ec;
        std::filesystem::create_directories(path.parent_path(), ec);
        static std::atomic<unsigned> counter{0};
        const auto temp = path.parent_path() / ("." + path.filename().string() + ".tmp." + std::to_string(::getpid()) + "." +
                                                std::to_string(counter++));
        {
            std::ofstream out(temp, std::ios::binary | std::ios::trunc);
            out.write(text.data(), static_cast<std::streamsize>(text.size()));
            out.close();
            if (!out) {
                std::filesystem::remove(temp, ec);
                throw StepError("filesystem: cannot write " + path.string());
            }
        }
        if (const auto existing = std::filesystem::status(path, ec); std::filesystem::exists(existing))
            std::filesystem::permissions(temp, existing.permissions(), ec);  // a replaced script stays executable
        std::filesystem::rename(temp, path, ec);
        if (ec) {
            std::error_code ignored;
            std::filesystem::remove(temp, ignored);
            throw StepError("filesystem: cannot replace " + path.string() + ": " + ec.message());
        }
    }
    void copy(const std::filesystem::path& from, const std::filesystem::path& to) const {
        const auto src = resolve(from), dst = resolve(to);
        std::error_code ec;
        std::filesystem::create_directories(dst.parent_path(), ec);
        std::filesystem::copy(src, dst, std::filesystem::copy_options::overwrite_existing | std::filesystem::copy_options::recursive, ec);
        if (ec) throw StepError("filesystem: cannot copy " + src.string() + " to " + dst.string() + ": " + ec.message());
    }
    /// Remove a file or a directory tree; false if there was nothing to remove.
    bool remove(const std::filesystem::path& relative) const {
        const auto path = resolve(relative);
        if (path == root_) throw InputError("filesystem: refusing to remove the root " + root_.string());
        std::error_code ec;
        const auto n = std::filesystem::remove_all(path, ec);
        if (ec) throw StepError("filesystem: cannot remove " + path.string() + ": " + ec.message());
        return n > 0;
    }

private:
    std::filesystem::path root_{};
};

}  // namespace orrery::workflow

ORRERY_REGISTER_ADAPTER(orrery::workflow::FilesystemAdapter, "filesystem")
