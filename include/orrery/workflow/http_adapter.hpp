#pragma once
/// The `http` adapter: GET / POST against one base URL on cpp-httplib, for handlers
/// that notify a service or fetch a document. A connection failure or a status
/// outside 2xx is a StepError naming the method, the URL and the status.
///
///   adapters: { http: { base_url: "http://127.0.0.1:8080/api", timeout_ms: 5000,
///                       headers: { Authorization: "Bearer ${env.TOKEN}" } } }

#include "orrery/core/context.hpp"
#include "orrery/core/errors.hpp"
#include "orrery/workflow/adapter.hpp"
#include "orrery/workflow/adapter_registry.hpp"

#include <httplib.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace orrery::workflow {

struct HttpResponse {
    int status = 0;
    std::string body{};
};

class HttpAdapter : public Adapter {
public:
    static constexpr std::string_view description = "HTTP GET/POST against a base URL (cpp-httplib)";

    [[nodiscard]] std::string name() const override { return "http"; }
    [[nodiscard]] nlohmann::json config_schema() const override {
        return {{"$schema", "http://json-schema.org/draft-07/schema#"},
                {"type", "object"},
                {"additionalProperties", false},
                {"required", {"base_url"}},
                {"properties",
                 {{"base_url", {{"type", "string"}, {"description", "scheme://host[:port][/prefix] every request path is appended to"}}},
                  {"timeout_ms", {{"type", "integer"}, {"minimum", 1}, {"default", 10000}, {"description", "Connect, read and write timeout"}}},
                  {"headers", {{"type", "object"}, {"additionalProperties", {{"type", "string"}}}, {"default", nlohmann::json::object()},
                               {"description", "Headers sent with every request"}}}}}};
    }
    [[nodiscard]] nlohmann::json defaults() const override { return {{"timeout_ms", 10000}, {"headers", nlohmann::json::object()}}; }

    void configure(const nlohmann::json& user_config) override {
        Adapter::configure(user_config);
        const std::string url = config_string("base_url");
        const auto scheme_end = url.find("://");
        if (scheme_end == std::string::npos || (url.compare(0, scheme_end, "http") != 0 && url.compare(0, scheme_end, "https") != 0))
            throw ConfigError("adapter 'http': config.base_url: '" + url + "' is not an http:// or https:// URL");
        const auto path_start = url.find('/', scheme_end + 3);
        origin_ = url.substr(0, path_start);
        prefix_ = path_start == std::string::npos ? std::string{} : url.substr(path_start);
        while (!prefix_.empty() && prefix_.back() == '/') prefix_.pop_back();
        if (origin_.size() == scheme_end + 3) throw ConfigError("adapter 'http': config.base_url: '" + url + "' has no host");
        timeout_ = std::chrono::milliseconds(config().at("timeout_ms").get<long long>());
        headers_.clear();
        for (const auto& [k, v] : config().at("headers").items()) headers_.emplace(k, v.get<std::string>());
    }
    void initialize(Context& ctx) override { register_as<HttpAdapter>(ctx); }
    [[nodiscard]] std::optional<std::string> value(std::string_view key) const override {
        if (key == "base_url") return origin_ + prefix_;
        return std::nullopt;
    }

    /// The full URL of `path` ("/status" -> "http://host:port/api/status").
    [[nodiscard]] std::string url(std::string_view path) const { return origin_ + request_path(path); }

    [[nodiscard]] HttpResponse get(std::string_view path) const {
        auto client = make_client();
        return check("GET", path, client.Get(request_path(path), headers_));
    }
    [[nodiscard]] HttpResponse post(std::string_view path, const std::string& body, const std::string& content_type = "application/json") const {
        auto client = make_client();
        return check("POST", path, client.Post(request_path(path), headers_, body, content_type));
    }

private:
    [[nodiscard]] std::string request_path(std::string_view path) const {
        std::string p(path);
        if (p.empty() || p.front() != '/') p.insert(p.begin(), '/');
        return prefix_ + p;
    }
    [[nodiscard]] httplib::Client make_client() const {
        httplib::Client client(origin_);
        client.set_connection_timeout(timeout_);
        client.set_read_timeout(timeout_);
        client.set_write_timeout(timeout_);
        return client;
    }
    HttpResponse check(const char* method, std::string_view path, const httplib::Result& result) const {
        if (!result)
            throw StepError(std::string("http: ") + method + " " + url(path) + " failed: " + httplib::to_string(result.error()));
        HttpResponse out{result->status, result->body};
        if (out.status < 200 || out.status > 299) {
            std::string excerpt = out.body.substr(0, out.body.find('\n'));
            if (excerpt.size() > 200) excerpt = excerpt.substr(0, 200) + "...";
            throw StepError(std::string("http: ") + method + " " + url(path) + " returned status " + std::to_string(out.status) +
                            (excerpt.empty() ? "" : ": " + excerpt));
        }
        return out;
    }

    std::string origin_{}, prefix_{};
    std::chrono::milliseconds timeout_{10000};
    httplib::Headers headers_{};
};

}  // namespace orrery::workflow

ORRERY_REGISTER_ADAPTER(orrery::workflow::HttpAdapter, "http")
