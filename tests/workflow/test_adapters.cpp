// Integration adapters without git: the filesystem adapter's confinement and
// atomic writes, the http adapter against a real in-process server and a closed
// port, the registries' "did you mean", and AdapterSet's lifecycle order.

#include "orrery/workflow/adapter_set.hpp"
#include "orrery/workflow/filesystem_adapter.hpp"
#include "orrery/workflow/http_adapter.hpp"
#include "../support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

using orrery::workflow::AdapterSet;
using orrery::workflow::FilesystemAdapter;
using orrery::workflow::HttpAdapter;
using Catch::Matchers::Contains;

namespace {

std::vector<std::string>& lifecycle_log() {
    static std::vector<std::string> log;
    return log;
}

// Records its lifecycle; `fail_initialize: true` makes initialize throw.
template <int N>
class TraceAdapter : public orrery::workflow::Adapter {
public:
    [[nodiscard]] std::string name() const override { return "trace" + std::to_string(N); }
    [[nodiscard]] nlohmann::json config_schema() const override {
        return {{"type", "object"}, {"additionalProperties", false},
                {"properties", {{"fail_initialize", {{"type", "boolean"}}}, {"label", {{"type", "string"}}}}}};
    }
    [[nodiscard]] nlohmann::json defaults() const override { return {{"fail_initialize", false}, {"label", "none"}}; }
    void configure(const nlohmann::json& user_config) override {
        Adapter::configure(user_config);
        lifecycle_log().push_back("configure " + name());
    }
    void initialize(orrery::Context& ctx) override {
        if (config().at("fail_initialize").template get<bool>()) throw orrery::StepError("trace" + std::to_string(N) + " cannot start");
        lifecycle_log().push_back("initialize " + name());
        register_as<TraceAdapter>(ctx);
    }
    void cleanup() noexcept override { lifecycle_log().push_back("cleanup " + name()); }
    [[nodiscard]] std::optional<std::string> value(std::string_view key) const override {
        if (key == "label") return config().at("label").template get<std::string>();
        return std::nullopt;
    }
};

std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

ORRERY_REGISTER_ADAPTER(TraceAdapter<1>, "trace1")
ORRERY_REGISTER_ADAPTER(TraceAdapter<2>, "trace2")
ORRERY_REGISTER_ADAPTER(TraceAdapter<3>, "trace3")

TEST_CASE("AdapterSet initializes in order and cleans up in reverse") {
    lifecycle_log().clear();
    orrery::Context ctx;
    {
        AdapterSet set({{"trace1", {{"label", "first"}}}, {"trace2", nullptr}, {"trace3", nlohmann::json::object()}}, ctx);
        CHECK(set.names() == std::vector<std::string>{"trace1", "trace2", "trace3"});
        CHECK(set.value("trace1", "label") == "first");
        CHECK(set.value("trace2", "label") == "none");
        CHECK(ctx.find_service<TraceAdapter<2>>() == &set.get("trace2"));
        CHECK_THROWS_WITH(set.value("trace1", "nope"), Contains("adapter 'trace1' has no value 'nope'"));
        CHECK_THROWS_WITH(set.get("trace4"), Contains("not configured") && Contains("did you mean 'trace1'"));
    }
    CHECK(lifecycle_log() == std::vector<std::string>{"configure trace1", "configure trace2", "configure trace3", "initialize trace1",
                                                      "initialize trace2", "initialize trace3", "cleanup trace3", "cleanup trace2",
                                                      "cleanup trace1"});
}

TEST_CASE("AdapterSet cleans up what it initialized when a later initialize throws") {
    lifecycle_log().clear();
    orrery::Context ctx;
    CHECK_THROWS_WITH(AdapterSet({{"trace1", nullptr}, {"trace2", nullptr}, {"trace3", {{"fail_initialize", true}}}}, ctx),
                      "trace3 cannot start");
    CHECK(lifecycle_log() == std::vector<std::string>{"configure trace1", "configure trace2", "configure trace3", "initialize trace1",
                                                      "initialize trace2", "cleanup trace2", "cleanup trace1"});
}

TEST_CASE("AdapterSet initializes nothing when a configuration is wrong") {
    lifecycle_log().clear();
    orrery::Context ctx;
    CHECK_THROWS_WITH(AdapterSet({{"trace1", nullptr}, {"trace2", {{"lable", "x"}}}}, ctx),
                      "adapter 'trace2': config: unknown key 'lable' (did you mean 'label'?)");
    CHECK_THROWS_WITH(AdapterSet({{"trace1", {{"fail_initialize", "yes"}}}}, ctx),
                      "adapter 'trace1': config.fail_initialize: expected boolean, got string \"yes\"");
    CHECK_THROWS_WITH(AdapterSet({{"trace1", nlohmann::json::array()}}, ctx), Contains("adapter 'trace1': the configuration must be a mapping"));
    for (const auto& line : lifecycle_log()) CHECK(line.rfind("initialize", 0) != 0);
}

TEST_CASE("unknown adapter names get the close registered names") {
    orrery::Context ctx;
    CHECK_THROWS_WITH(AdapterSet({{"filesytem", nullptr}}, ctx), "unknown adapter 'filesytem' (did you mean 'filesystem'?)");
    CHECK_THROWS_WITH(orrery::workflow::adapter_registry().get("zzzzzzzz"), Contains("unknown adapter 'zzzzzzzz' (registered: ") && Contains("http"));
    const auto* fs = orrery::workflow::adapter_registry().find("filesystem");
    REQUIRE(fs != nullptr);
    CHECK_THAT(fs->description, Contains("confined"));
    CHECK_THAT(fs->origin, Contains("filesystem_adapter.hpp"));
}

TEST_CASE("a JSON object builds an AdapterSet too") {
    const orrery::test::TempDir dir("orrery_wf_fs_json");
    orrery::Context ctx;
    const auto set = AdapterSet::from_json(nlohmann::json{{"filesystem", {{"root", dir.path().string()}}}}, ctx);
    CHECK(set.value("filesystem", "root") == std::filesystem::canonical(dir.path()).string());
    CHECK(&ctx.service<FilesystemAdapter>() == &set.get("filesystem"));
    CHECK_THROWS_WITH(AdapterSet::from_json(nlohmann::json::array({1}), ctx), Contains("adapters: expected a mapping"));
}

TEST_CASE("filesystem adapter: atomic writes, reads, copies and removal inside the root") {
    const orrery::test::TempDir dir("orrery_wf_fs");
    orrery::Context ctx;
    AdapterSet set({{"filesystem", {{"root", dir.path().string()}}}}, ctx);
    auto& fs = ctx.service<FilesystemAdapter>();
    fs.write_text("notes/a.txt", "one\n");
    fs.write_text("notes/a.txt", "two\n");  // replaces
    CHECK(read_file(dir / "notes/a.txt") == "two\n");
    CHECK(fs.read_text("notes/./a.txt") == "two\n");
    // only the file itself is left: the temporary of each write was renamed over it
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(dir / "notes")) names.push_back(e.path().filename().string());
    CHECK(names == std::vector<std::string>{"a.txt"});
    std::filesystem::permissions(dir / "notes/a.txt", std::filesystem::perms::owner_exec, std::filesystem::perm_options::add);
    fs.write_text("notes/a.txt", "three\n");
    CHECK((std::filesystem::status(dir / "notes/a.txt").permissions() & std::filesystem::perms::owner_exec) != std::filesystem::perms::none);
    CHECK(read_file(dir / "notes/a.txt") == "three\n");
    fs.write_text("notes/a.txt", "two\n");
    fs.copy("notes/a.txt", "copy/b.txt");
    CHECK(fs.exists("copy/b.txt"));
    CHECK(fs.read_text("copy/b.txt") == "two\n");
    CHECK(fs.remove("copy"));
    CHECK_FALSE(fs.exists("copy/b.txt"));
    CHECK_FALSE(fs.remove("copy"));
    CHECK_THROWS_WITH(fs.read_text("missing.txt"), Contains("filesystem: cannot read") && Contains("missing.txt"));
}

TEST_CASE("filesystem adapter: paths leaving the root are errors naming the path") {
    const orrery::test::TempDir dir("orrery_wf_fs_escape");
    std::filesystem::create_directories(dir / "root/sub");
    orrery::Context ctx;
    AdapterSet set({{"filesystem", {{"root", (dir / "root").string()}}}}, ctx);
    auto& fs = ctx.service<FilesystemAdapter>();
    CHECK_THROWS_AS(fs.write_text("../outside.txt", "x"), orrery::InputError);
    CHECK_THROWS_WITH(fs.write_text("../outside.txt", "x"), Contains("the path '../outside.txt' leaves the root"));
    CHECK_THROWS_WITH(fs.read_text("sub/../../x"), Contains("'sub/../../x' leaves the root"));
    CHECK_THROWS_WITH(fs.exists("/etc/passwd"), Contains("'/etc/passwd' leaves the root"));
    CHECK_THROWS_WITH(fs.remove("."), Contains("refusing to remove the root"));
    CHECK_FALSE(std::filesystem::exists(dir / "outside.txt"));
    CHECK(fs.resolve("sub/../a") == std::filesystem::canonical(dir / "root") / "a");
}

TEST_CASE("relative adapter paths start at the base directory, given or defaulted") {
    const orrery::test::TempDir dir("orrery_wf_fs_base");
    std::filesystem::create_directories(dir / "project/data");
    orrery::Context ctx;
    const auto base = std::filesystem::canonical(dir / "project");
    {
        const AdapterSet set({{"filesystem", {{"root", "data"}}}}, ctx, base);
        CHECK(set.value("filesystem", "root") == (base / "data").string());
    }
    {
        const AdapterSet set({{"filesystem", nullptr}}, ctx, base);  // the default "." is the base itself
        CHECK(set.value("filesystem", "root") == base.string());
    }
    FilesystemAdapter probe;
    CHECK(orrery::workflow::with_base_dir(probe, {{"root", "/abs"}}, base) == nlohmann::json{{"root", "/abs"}});
    CHECK(orrery::workflow::with_base_dir(probe, {{"root", 3}}, base) == nlohmann::json{{"root", 3}});
    CHECK(orrery::workflow::with_base_dir(probe, {{"root", "x/../y"}}, {}) == nlohmann::json{{"root", "x/../y"}});
}

TEST_CASE("filesystem adapter: a root that is not a directory fails initialize") {
    const orrery::test::TempDir dir("orrery_wf_fs_noroot");
    orrery::Context ctx;
    CHECK_THROWS_WITH(AdapterSet({{"filesystem", {{"root", (dir / "absent").string()}}}}, ctx),
                      Contains("adapter 'filesystem': root") && Contains("absent is not a directory"));
}

TEST_CASE("http adapter: GET and POST against a real server, non-2xx is an error naming URL and status") {
    httplib::Server server;
    server.Get("/api/ping", [](const httplib::Request& req, httplib::Response& res) {
        res.set_content("pong " + req.get_header_value("X-Token"), "text/plain");
    });
    server.Post("/api/echo", [](const httplib::Request& req, httplib::Response& res) { res.set_content(req.body, req.get_header_value("Content-Type")); });
    server.Get("/api/missing", [](const httplib::Request&, httplib::Response& res) {
        res.status = 404;
        res.set_content("no such thing\nsecond line", "text/plain");
    });
    const int port = server.bind_to_any_port("127.0.0.1");
    REQUIRE(port > 0);
    std::thread serving([&] { server.listen_after_bind(); });
    while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    struct Stop {
        httplib::Server& s;
        std::thread& t;
        ~Stop() {
            s.stop();
            t.join();
        }
    } stop{server, serving};

    const std::string base = "http://127.0.0.1:" + std::to_string(port) + "/api/";
    orrery::Context ctx;
    AdapterSet set({{"http", {{"base_url", base}, {"timeout_ms", 5000}, {"headers", {{"X-Token", "t0k"}}}}}}, ctx);
    auto& http = ctx.service<HttpAdapter>();
    CHECK(set.value("http", "base_url") == "http://127.0.0.1:" + std::to_string(port) + "/api");
    const auto ping = http.get("ping");
    CHECK(ping.status == 200);
    CHECK(ping.body == "pong t0k");
    const auto echo = http.post("/echo", R"({"a":1})");
    CHECK(echo.body == R"({"a":1})");
    CHECK_THROWS_AS(http.get("/missing"), orrery::StepError);
    CHECK_THROWS_WITH(http.get("/missing"), "http: GET " + base + "missing returned status 404: no such thing");
    CHECK_THROWS_WITH(http.get("/nowhere"), Contains(base + "nowhere returned status 404"));
}

TEST_CASE("http adapter: a closed port is an error naming the URL") {
    // A bound socket that does not listen: connecting to it is refused.
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    const std::string url = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
    orrery::Context ctx;
    AdapterSet set({{"http", {{"base_url", url}, {"timeout_ms", 2000}}}}, ctx);
    CHECK_THROWS_AS(ctx.service<HttpAdapter>().get("/x"), orrery::StepError);
    CHECK_THROWS_WITH(ctx.service<HttpAdapter>().get("/x"), Contains("http: GET " + url + "/x failed: "));
    ::close(fd);
}

TEST_CASE("http adapter: configuration errors name the key") {
    orrery::Context ctx;
    CHECK_THROWS_WITH(AdapterSet({{"http", nullptr}}, ctx), "adapter 'http': config: the key 'base_url' is required");
    CHECK_THROWS_WITH(AdapterSet({{"http", {{"base_url", "ftp://x"}}}}, ctx), Contains("config.base_url: 'ftp://x' is not an http:// or https:// URL"));
    CHECK_THROWS_WITH(AdapterSet({{"http", {{"base_url", "http://x"}, {"timeout_ms", 0}}}}, ctx),
                      "adapter 'http': config.timeout_ms: 0 is below the minimum 1");
    CHECK_THROWS_WITH(AdapterSet({{"http", {{"base_url", "http://x"}, {"headers", {{"A", 1}}}}}}, ctx),
                      "adapter 'http': config.headers.A: expected string, got integer 1");
}

TEST_CASE("two adapters registered under one name are reported at lookup, naming both origins") {
    auto factory = [] { return std::shared_ptr<orrery::workflow::Adapter>(std::make_shared<TraceAdapter<1>>()); };
    orrery::workflow::register_adapter("twice", "first", factory, "a.hpp:1");
    orrery::workflow::register_adapter("twice", "first", factory, "a.hpp:1");  // the same registration again: ignored
    CHECK(orrery::workflow::adapter_registry().find("twice")->origin == "a.hpp:1");
    orrery::workflow::register_adapter("twice", "second", factory, "b.hpp:2");
    CHECK_THROWS_WITH(orrery::workflow::adapter_registry().get("twice"), "adapter 'twice' is registered twice: a.hpp:1 and b.hpp:2");
    const auto names = orrery::workflow::adapter_registry().names();
    CHECK(std::count(names.begin(), names.end(), "twice") == 1);
}
