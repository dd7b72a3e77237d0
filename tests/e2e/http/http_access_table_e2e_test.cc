// End to end, table-driven: who may call which HTTP route of the three HTTP adapters. One set of
// real processes — redis-server, wisseld, wissel-chat, wissel-webform and two wissel-balie (one
// per municipality) — serving HTTPS on free loopback ports, and a real HTTPS client
// (cpp-httplib with OpenSSL, verifying the adapters' certificate) that sends every row of one
// table: a route, a case (no credential, a wrong one, another tenant's, the right one, a
// foreign Origin, plain HTTP to the HTTPS port) and the answer expected.
//
// The table is data written by hand from the API as documented (adapters/*/README.md), not
// generated from the adapters' own route registrations, so that a route that loses its check,
// or a check that starts refusing the rightful caller, fails here. kRoutes lists every route;
// a test checks that the table has the cases each route needs.
//
// Rows run in table order. For a route that changes state (ending a chat, a desk's next and
// done), the row with the right credential comes after the rows that must change nothing.
//
// The router runs plaintext on loopback, as in the other end-to-end tests: this test is about
// the adapters' HTTP side (tests/integration/access_control_test.cc covers the router's).
#include <grpcpp/grpcpp.h>
#include <httplib.h>
#include <signal.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "adapters/chat/chat_api.pb.h"
#include "adapters/webform/webform_api.pb.h"
#include "gtest/gtest.h"
#include "tests/adapters/common/parse_json.h"
#include "tests/adapters/common/test_certificates.h"
#include "tests/integration/child_process.h"
#include "tests/integration/redis_server.h"
#include "tests/integration/wisseld_process.h"
#include "wissel/v1/handler_service.grpc.pb.h"

namespace wissel::testing {
namespace {

using adapters::testing::ParseJson;

// The one web origin the adapters allow; kForeignOrigin is any other site.
constexpr char kAllowedOrigin[] = "https://www.gemeente-test.nl";
constexpr char kForeignOrigin[] = "https://evil.example";

// Two municipalities with the same topics: ids in one are not ids in the other.
constexpr char kTenantConfig[] = R"yaml(
  - id: TENANT
    name: TENANT
    dynamic_handlers: true
    pseudonym_secret: "SECRET"
    attributes:
      - {name: submission_id, max_length: 128}
      - {name: ticket, max_length: 16}
      - {name: kiosk, max_length: 64}
      - {name: visit, max_length: 16}
    contact_retention: 1d
    handler_defaults: {offer_timeout: 1m, max_wrap_up: 1m}
    queues:
      - {name: wmo, default_handle_time: 10m}
      - {name: afval}
      - {name: balie-burgerzaken, default_handle_time: 10m}
    topics:
      - {code: wmo-hulpmiddelen, name: Hulpmiddelen, domain: sociaal_domein, queue: wmo}
      - {code: grofvuil, name: Grofvuil, domain: openbare_ruimte, queue: afval}
      - {code: paspoort, name: Paspoort, domain: burgerzaken, queue: balie-burgerzaken}
)yaml";

std::string RouterConfig(int redis_port) {
  return absl::StrCat(
      "listen_address: 127.0.0.1:0\ndrain_timeout: 2s\nredis: {host: 127.0.0.1, port: ", redis_port,
      "}\ntls: {plaintext: true}\naccess: {allow_anonymous: true}\ntenants:",
      absl::StrReplaceAll(kTenantConfig, {{"TENANT", "gemeente-test"},
                                          {"SECRET", "test-secret-test-secret-test-secret-0123"}}),
      absl::StrReplaceAll(kTenantConfig, {{"TENANT", "gemeente-ander"},
                                          {"SECRET", "ander-secret-ander-secret-ander-secre"}}));
}

// desk-1 serves the check-ins (paspoort); desk-2 is in another team, so it is never called.
constexpr char kBalieConfig[] = R"yaml(
tenant: TENANT
topic_groups:
  - {letter: A, name: Burgerzaken, topics: [paspoort]}
desks:
  - {id: desk-1, name: Balie 1, teams: [balie-burgerzaken], token_env: ACL_DESK_1_TOKEN}
  - {id: desk-2, name: Balie 2, teams: [wmo], token_env: ACL_DESK_2_TOKEN}
kiosk: {token_env: ACL_KIOSK_TOKEN}
)yaml";

// Test values only. Each balie has its own; the ids (desk-1, ...) are the same in both.
const std::map<std::string, std::string>& BalieTokens() {
  static const auto* tokens = new std::map<std::string, std::string>{
      {"balie:test/desk-1", "acl-test-desk-1-token-0123456789"},
      {"balie:test/desk-2", "acl-test-desk-2-token-0123456789"},
      {"balie:test/kiosk", "acl-test-kiosk-token-0123456789"},
      {"balie:ander/desk-1", "acl-ander-desk-1-token-0123456789"},
      {"balie:ander/desk-2", "acl-ander-desk-2-token-0123456789"},
      {"balie:ander/kiosk", "acl-ander-kiosk-token-0123456789"},
  };
  return *tokens;
}

enum class Adapter { kChat, kWebform, kBalie, kBalieAnder };

const char* AdapterName(Adapter adapter) {
  switch (adapter) {
    case Adapter::kChat:
      return "wissel-chat";
    case Adapter::kWebform:
      return "wissel-webform";
    case Adapter::kBalie:
      return "wissel-balie (gemeente-test)";
    case Adapter::kBalieAnder:
      return "wissel-balie (gemeente-ander)";
  }
  return "?";
}

// What a row tries; the coverage check asks for the kinds each route needs.
enum class Kind {
  kPublic,       // a route anyone may call
  kNone,         // no credential
  kWrong,        // a credential, but not this resource's (another session's, desk's, kiosk's)
  kOtherTenant,  // a credential of another municipality, or the right one on its path
  kRight,        // the right credential
  kCors,         // an Origin header (foreign, null or the allowed one)
  kPlainHttp,    // plain HTTP to the HTTPS listener
};

// What the answer's Access-Control-Allow-Origin must be.
enum class Acao { kAbsent, kAllowedOrigin };

// One request and the answer it must get. `path` and `credential` name runtime values:
// "{contact:form:test/acl-form}" is the contact id of that submission, "{token:NAME}" the token
// NAME; a credential is sent as "Authorization: Bearer TOKEN" ("" sends none).
struct Row {
  std::string route;  // as in kRoutes
  Kind kind;
  std::string description;
  Adapter adapter;
  std::string method;  // GET, POST, DELETE, OPTIONS
  std::string path;
  std::string credential;
  int status;  // kNoHttpAnswer: the connection fails without an HTTP answer
  std::string body = "";
  std::string origin = "";
  Acao acao = Acao::kAbsent;
};

constexpr int kNoHttpAnswer = 0;

// Every HTTP route of the three adapters, from their READMEs. `credential`: some caller needs
// one; `tenant_in_path`: the path names the municipality.
struct RouteSpec {
  Adapter adapter;
  std::string route;
  bool credential;
  bool tenant_in_path;
};

const std::vector<RouteSpec>& Routes() {
  static const auto* routes = new std::vector<RouteSpec>{
      {Adapter::kChat, "POST /v1/chat/sessions", true, false},
      {Adapter::kChat, "GET /v1/chat/sessions/{tenant}/{session_id}", true, true},
      {Adapter::kChat, "GET /v1/chat/sessions/{tenant}/{session_id}/events", true, true},
      {Adapter::kChat, "POST /v1/chat/sessions/{tenant}/{session_id}/end", true, true},
      {Adapter::kChat, "DELETE /v1/chat/sessions/{tenant}/{session_id}", true, true},
      {Adapter::kChat, "GET /livez", false, false},
      {Adapter::kChat, "GET /healthz", false, false},
      {Adapter::kWebform, "POST /v1/forms/{tenant}/{topic}", false, true},
      {Adapter::kWebform, "GET /v1/forms/{tenant}/contacts/{contact_id}", true, true},
      {Adapter::kWebform, "GET /livez", false, false},
      {Adapter::kWebform, "GET /healthz", false, false},
      {Adapter::kBalie, "POST /v1/balie/{tenant}/checkins", true, true},
      {Adapter::kBalie, "GET /v1/balie/{tenant}/desks", true, true},
      {Adapter::kBalie, "GET /v1/balie/{tenant}/desks/{desk}", true, true},
      {Adapter::kBalie, "POST /v1/balie/{tenant}/desks/{desk}/next", true, true},
      {Adapter::kBalie, "POST /v1/balie/{tenant}/desks/{desk}/done", true, true},
      {Adapter::kBalie, "GET /v1/balie/{tenant}/display", false, true},
      {Adapter::kBalie, "GET /v1/balie/{tenant}/display/events", false, true},
      {Adapter::kBalie, "GET /livez", false, false},
      {Adapter::kBalie, "GET /healthz", false, false},
  };
  return *routes;
}

// Chat sessions opened before the table runs: "chat:TENANT/SESSION" (its token). acl-read is
// read, acl-end and acl-delete are ended by their rows, acl-other is "another session";
// gemeente-ander has an acl-read and an acl-end of its own.
constexpr char kChatRead[] = "/v1/chat/sessions/gemeente-test/acl-read";
constexpr char kChatEnd[] = "/v1/chat/sessions/gemeente-test/acl-end";
constexpr char kChatDelete[] = "/v1/chat/sessions/gemeente-test/acl-delete";
// Web form submissions made before the table runs: "form:TENANT/SUBMISSION" (its token).
constexpr char kFormStatus[] = "/v1/forms/gemeente-test/contacts/{contact:form:test/acl-form}";
constexpr char kCheckin[] =
    R"({"kiosk_id":"kiosk-1","checkin_id":"acl-checkin","topic":"paspoort"})";

std::string OpenBody(const std::string& tenant, const std::string& session_id) {
  return absl::StrCat(R"({"tenant":")", tenant, R"(","session_id":")", session_id,
                      R"(","topic":"wmo-hulpmiddelen"})");
}

const std::vector<Row>& Table() {
  using A = Adapter;
  using K = Kind;
  static const auto* table = new std::vector<Row>{
      // ---- wissel-chat ----------------------------------------------------------------------
      {"POST /v1/chat/sessions", K::kPublic, "a new session, no credential", A::kChat, "POST",
       "/v1/chat/sessions", "", 200, OpenBody("gemeente-test", "acl-new")},
      {"POST /v1/chat/sessions", K::kNone, "re-open a known session without its token", A::kChat,
       "POST", "/v1/chat/sessions", "", 401, OpenBody("gemeente-test", "acl-read")},
      {"POST /v1/chat/sessions", K::kWrong, "re-open with another session's token", A::kChat,
       "POST", "/v1/chat/sessions", "chat:test/acl-other", 403,
       OpenBody("gemeente-test", "acl-read")},
      {"POST /v1/chat/sessions", K::kWrong, "re-open with the kiosk's token", A::kChat, "POST",
       "/v1/chat/sessions", "balie:test/kiosk", 403, OpenBody("gemeente-test", "acl-read")},
      {"POST /v1/chat/sessions", K::kOtherTenant,
       "re-open gemeente-ander's acl-read with gemeente-test's acl-read token", A::kChat, "POST",
       "/v1/chat/sessions", "chat:test/acl-read", 403, OpenBody("gemeente-ander", "acl-read")},
      {"POST /v1/chat/sessions", K::kCors, "a foreign Origin opens a session", A::kChat, "POST",
       "/v1/chat/sessions", "", 403, OpenBody("gemeente-test", "acl-cors"), kForeignOrigin},
      {"POST /v1/chat/sessions", K::kCors, "Origin null opens a session", A::kChat, "POST",
       "/v1/chat/sessions", "", 403, OpenBody("gemeente-test", "acl-cors"), "null"},
      {"POST /v1/chat/sessions", K::kCors, "a preflight from a foreign Origin", A::kChat, "OPTIONS",
       "/v1/chat/sessions", "", 403, "", kForeignOrigin},
      {"POST /v1/chat/sessions", K::kCors, "a preflight from the allowed Origin", A::kChat,
       "OPTIONS", "/v1/chat/sessions", "", 204, "", kAllowedOrigin, Acao::kAllowedOrigin},
      {"POST /v1/chat/sessions", K::kRight, "re-open a known session with its token", A::kChat,
       "POST", "/v1/chat/sessions", "chat:test/acl-read", 200,
       OpenBody("gemeente-test", "acl-read")},

      {"GET /v1/chat/sessions/{tenant}/{session_id}", K::kNone, "no token", A::kChat, "GET",
       kChatRead, "", 401},
      {"GET /v1/chat/sessions/{tenant}/{session_id}", K::kWrong, "another session's token",
       A::kChat, "GET", kChatRead, "chat:test/acl-other", 404},
      {"GET /v1/chat/sessions/{tenant}/{session_id}", K::kWrong, "a made-up token", A::kChat, "GET",
       kChatRead, "made-up", 404},
      {"GET /v1/chat/sessions/{tenant}/{session_id}", K::kWrong, "a desk's token", A::kChat, "GET",
       kChatRead, "balie:test/desk-1", 404},
      {"GET /v1/chat/sessions/{tenant}/{session_id}", K::kWrong,
       "the web form status token of a submission", A::kChat, "GET", kChatRead,
       "form:test/acl-form", 404},
      {"GET /v1/chat/sessions/{tenant}/{session_id}", K::kOtherTenant,
       "gemeente-ander's token of the same session id", A::kChat, "GET", kChatRead,
       "chat:ander/acl-read", 404},
      {"GET /v1/chat/sessions/{tenant}/{session_id}", K::kOtherTenant,
       "the right token on gemeente-ander's path", A::kChat, "GET",
       "/v1/chat/sessions/gemeente-ander/acl-read", "chat:test/acl-read", 404},
      {"GET /v1/chat/sessions/{tenant}/{session_id}", K::kRight,
       "gemeente-ander's own token on its path", A::kChat, "GET",
       "/v1/chat/sessions/gemeente-ander/acl-read", "chat:ander/acl-read", 200},
      {"GET /v1/chat/sessions/{tenant}/{session_id}", K::kCors,
       "a foreign Origin reads with the right token: answered, not shared", A::kChat, "GET",
       kChatRead, "chat:test/acl-read", 200, "", kForeignOrigin},
      {"GET /v1/chat/sessions/{tenant}/{session_id}", K::kCors,
       "the allowed Origin reads with the right token", A::kChat, "GET", kChatRead,
       "chat:test/acl-read", 200, "", kAllowedOrigin, Acao::kAllowedOrigin},
      {"GET /v1/chat/sessions/{tenant}/{session_id}", K::kRight, "the session's token", A::kChat,
       "GET", kChatRead, "chat:test/acl-read", 200},

      {"GET /v1/chat/sessions/{tenant}/{session_id}/events", K::kNone, "no token", A::kChat, "GET",
       absl::StrCat(kChatRead, "/events"), "", 401},
      {"GET /v1/chat/sessions/{tenant}/{session_id}/events", K::kNone, "an empty ?session_token=",
       A::kChat, "GET", absl::StrCat(kChatRead, "/events?session_token="), "", 401},
      {"GET /v1/chat/sessions/{tenant}/{session_id}/events", K::kWrong, "another session's token",
       A::kChat, "GET", absl::StrCat(kChatRead, "/events"), "chat:test/acl-other", 404},
      {"GET /v1/chat/sessions/{tenant}/{session_id}/events", K::kWrong,
       "another session's token as ?session_token=", A::kChat, "GET",
       absl::StrCat(kChatRead, "/events?session_token={token:chat:test/acl-other}"), "", 404},
      {"GET /v1/chat/sessions/{tenant}/{session_id}/events", K::kOtherTenant,
       "gemeente-ander's token of the same session id", A::kChat, "GET",
       absl::StrCat(kChatRead, "/events"), "chat:ander/acl-read", 404},
      {"GET /v1/chat/sessions/{tenant}/{session_id}/events", K::kOtherTenant,
       "the right token on gemeente-ander's path", A::kChat, "GET",
       "/v1/chat/sessions/gemeente-ander/acl-read/events", "chat:test/acl-read", 404},
      {"GET /v1/chat/sessions/{tenant}/{session_id}/events", K::kRight, "the session's token",
       A::kChat, "GET", absl::StrCat(kChatRead, "/events"), "chat:test/acl-read", 200},
      {"GET /v1/chat/sessions/{tenant}/{session_id}/events", K::kRight,
       "the session's token as ?session_token= (EventSource)", A::kChat, "GET",
       absl::StrCat(kChatRead, "/events?session_token={token:chat:test/acl-read}"), "", 200},

      {"POST /v1/chat/sessions/{tenant}/{session_id}/end", K::kNone, "no token", A::kChat, "POST",
       absl::StrCat(kChatEnd, "/end"), "", 401, R"({"reason":"abandoned"})"},
      {"POST /v1/chat/sessions/{tenant}/{session_id}/end", K::kWrong, "another session's token",
       A::kChat, "POST", absl::StrCat(kChatEnd, "/end"), "chat:test/acl-other", 404,
       R"({"reason":"abandoned"})"},
      {"POST /v1/chat/sessions/{tenant}/{session_id}/end", K::kWrong, "the kiosk's token", A::kChat,
       "POST", absl::StrCat(kChatEnd, "/end"), "balie:test/kiosk", 404,
       R"({"reason":"abandoned"})"},
      {"POST /v1/chat/sessions/{tenant}/{session_id}/end", K::kOtherTenant,
       "gemeente-ander's token of the same session id", A::kChat, "POST",
       absl::StrCat(kChatEnd, "/end"), "chat:ander/acl-end", 404, R"({"reason":"abandoned"})"},
      {"POST /v1/chat/sessions/{tenant}/{session_id}/end", K::kOtherTenant,
       "the right token on gemeente-ander's path", A::kChat, "POST",
       "/v1/chat/sessions/gemeente-ander/acl-end/end", "chat:test/acl-end", 404,
       R"({"reason":"abandoned"})"},
      {"POST /v1/chat/sessions/{tenant}/{session_id}/end", K::kCors,
       "a foreign Origin with the right token", A::kChat, "POST", absl::StrCat(kChatEnd, "/end"),
       "chat:test/acl-end", 403, R"({"reason":"abandoned"})", kForeignOrigin},
      {"POST /v1/chat/sessions/{tenant}/{session_id}/end", K::kRight, "the session's token",
       A::kChat, "POST", absl::StrCat(kChatEnd, "/end"), "chat:test/acl-end", 200,
       R"({"reason":"abandoned"})"},

      {"DELETE /v1/chat/sessions/{tenant}/{session_id}", K::kNone, "no token", A::kChat, "DELETE",
       kChatDelete, "", 401},
      {"DELETE /v1/chat/sessions/{tenant}/{session_id}", K::kWrong, "another session's token",
       A::kChat, "DELETE", kChatDelete, "chat:test/acl-other", 404},
      {"DELETE /v1/chat/sessions/{tenant}/{session_id}", K::kWrong, "a desk's token", A::kChat,
       "DELETE", kChatDelete, "balie:test/desk-1", 404},
      {"DELETE /v1/chat/sessions/{tenant}/{session_id}", K::kOtherTenant,
       "gemeente-ander's token of another session", A::kChat, "DELETE", kChatDelete,
       "chat:ander/acl-read", 404},
      {"DELETE /v1/chat/sessions/{tenant}/{session_id}", K::kOtherTenant,
       "the right token on gemeente-ander's path", A::kChat, "DELETE",
       "/v1/chat/sessions/gemeente-ander/acl-delete", "chat:test/acl-delete", 404},
      {"DELETE /v1/chat/sessions/{tenant}/{session_id}", K::kCors,
       "a foreign Origin with the right token", A::kChat, "DELETE", kChatDelete,
       "chat:test/acl-delete", 403, "", kForeignOrigin},
      {"DELETE /v1/chat/sessions/{tenant}/{session_id}", K::kRight, "the session's token", A::kChat,
       "DELETE", kChatDelete, "chat:test/acl-delete", 200},

      {"GET /livez", K::kPublic, "no credential", A::kChat, "GET", "/livez", "", 200},
      {"GET /healthz", K::kPublic, "no credential", A::kChat, "GET", "/healthz", "", 200},
      {"GET /livez", K::kPlainHttp, "plain HTTP to the HTTPS listener", A::kChat, "GET", "/livez",
       "", kNoHttpAnswer},

      // ---- wissel-webform -------------------------------------------------------------------
      {"POST /v1/forms/{tenant}/{topic}", K::kPublic, "a new submission, no credential",
       A::kWebform, "POST", "/v1/forms/gemeente-test/grofvuil", "", 202,
       R"({"submission_id":"acl-form-new"})"},
      {"POST /v1/forms/{tenant}/{topic}", K::kPublic, "a submission to gemeente-ander", A::kWebform,
       "POST", "/v1/forms/gemeente-ander/grofvuil", "", 202, R"({"submission_id":"acl-form-new"})"},
      {"POST /v1/forms/{tenant}/{topic}", K::kCors, "a foreign Origin submits", A::kWebform, "POST",
       "/v1/forms/gemeente-test/grofvuil", "", 403, R"({"submission_id":"acl-form-cors"})",
       kForeignOrigin},
      {"POST /v1/forms/{tenant}/{topic}", K::kCors, "a preflight from a foreign Origin",
       A::kWebform, "OPTIONS", "/v1/forms/gemeente-test/grofvuil", "", 403, "", kForeignOrigin},
      {"POST /v1/forms/{tenant}/{topic}", K::kCors, "the allowed Origin submits", A::kWebform,
       "POST", "/v1/forms/gemeente-test/grofvuil", "", 202,
       R"({"submission_id":"acl-form-allowed"})", kAllowedOrigin, Acao::kAllowedOrigin},

      {"GET /v1/forms/{tenant}/contacts/{contact_id}", K::kNone, "no token", A::kWebform, "GET",
       kFormStatus, "", 401},
      {"GET /v1/forms/{tenant}/contacts/{contact_id}", K::kWrong,
       "another submission's status token", A::kWebform, "GET", kFormStatus,
       "form:test/acl-form-other", 404},
      {"GET /v1/forms/{tenant}/contacts/{contact_id}", K::kWrong, "a made-up token", A::kWebform,
       "GET", kFormStatus, "made-up", 404},
      {"GET /v1/forms/{tenant}/contacts/{contact_id}", K::kWrong, "a chat session's token",
       A::kWebform, "GET", kFormStatus, "chat:test/acl-read", 404},
      {"GET /v1/forms/{tenant}/contacts/{contact_id}", K::kWrong, "the kiosk's token", A::kWebform,
       "GET", kFormStatus, "balie:test/kiosk", 404},
      {"GET /v1/forms/{tenant}/contacts/{contact_id}", K::kWrong,
       "the right token for a contact id that does not exist", A::kWebform, "GET",
       "/v1/forms/gemeente-test/contacts/00000000000000000000000000000000", "form:test/acl-form",
       404},
      {"GET /v1/forms/{tenant}/contacts/{contact_id}", K::kOtherTenant,
       "gemeente-ander's token of the same submission id", A::kWebform, "GET", kFormStatus,
       "form:ander/acl-form", 404},
      {"GET /v1/forms/{tenant}/contacts/{contact_id}", K::kOtherTenant,
       "the right token on gemeente-ander's path", A::kWebform, "GET",
       "/v1/forms/gemeente-ander/contacts/{contact:form:test/acl-form}", "form:test/acl-form", 404},
      {"GET /v1/forms/{tenant}/contacts/{contact_id}", K::kRight,
       "gemeente-ander's own token on its path", A::kWebform, "GET",
       "/v1/forms/gemeente-ander/contacts/{contact:form:ander/acl-form}", "form:ander/acl-form",
       200},
      {"GET /v1/forms/{tenant}/contacts/{contact_id}", K::kCors,
       "a foreign Origin reads with the right token: answered, not shared", A::kWebform, "GET",
       kFormStatus, "form:test/acl-form", 200, "", kForeignOrigin},
      {"GET /v1/forms/{tenant}/contacts/{contact_id}", K::kCors,
       "a preflight from the allowed Origin", A::kWebform, "OPTIONS", kFormStatus, "", 204, "",
       kAllowedOrigin, Acao::kAllowedOrigin},
      {"GET /v1/forms/{tenant}/contacts/{contact_id}", K::kRight, "the submission's token",
       A::kWebform, "GET", kFormStatus, "form:test/acl-form", 200},

      {"GET /livez", K::kPublic, "no credential", A::kWebform, "GET", "/livez", "", 200},
      {"GET /healthz", K::kPublic, "no credential", A::kWebform, "GET", "/healthz", "", 200},
      {"GET /livez", K::kPlainHttp, "plain HTTP to the HTTPS listener", A::kWebform, "GET",
       "/livez", "", kNoHttpAnswer},

      // ---- wissel-balie ---------------------------------------------------------------------
      {"POST /v1/balie/{tenant}/checkins", K::kNone, "no token", A::kBalie, "POST",
       "/v1/balie/gemeente-test/checkins", "", 401, kCheckin},
      {"POST /v1/balie/{tenant}/checkins", K::kWrong, "desk-1's token", A::kBalie, "POST",
       "/v1/balie/gemeente-test/checkins", "balie:test/desk-1", 403, kCheckin},
      {"POST /v1/balie/{tenant}/checkins", K::kWrong, "a made-up token", A::kBalie, "POST",
       "/v1/balie/gemeente-test/checkins", "made-up", 403, kCheckin},
      {"POST /v1/balie/{tenant}/checkins", K::kWrong, "a chat session's token", A::kBalie, "POST",
       "/v1/balie/gemeente-test/checkins", "chat:test/acl-read", 403, kCheckin},
      {"POST /v1/balie/{tenant}/checkins", K::kOtherTenant, "gemeente-ander's kiosk token",
       A::kBalie, "POST", "/v1/balie/gemeente-test/checkins", "balie:ander/kiosk", 403, kCheckin},
      {"POST /v1/balie/{tenant}/checkins", K::kOtherTenant,
       "the kiosk's token on gemeente-ander's path (not this balie's)", A::kBalie, "POST",
       "/v1/balie/gemeente-ander/checkins", "balie:test/kiosk", 404, kCheckin},
      {"POST /v1/balie/{tenant}/checkins", K::kCors, "a foreign Origin with the kiosk's token",
       A::kBalie, "POST", "/v1/balie/gemeente-test/checkins", "balie:test/kiosk", 403, kCheckin,
       kForeignOrigin},
      {"POST /v1/balie/{tenant}/checkins", K::kRight, "the kiosk's token", A::kBalie, "POST",
       "/v1/balie/gemeente-test/checkins", "balie:test/kiosk", 201, kCheckin},

      {"GET /v1/balie/{tenant}/desks", K::kNone, "no token", A::kBalie, "GET",
       "/v1/balie/gemeente-test/desks", "", 401},
      {"GET /v1/balie/{tenant}/desks", K::kWrong, "the kiosk's token", A::kBalie, "GET",
       "/v1/balie/gemeente-test/desks", "balie:test/kiosk", 403},
      {"GET /v1/balie/{tenant}/desks", K::kOtherTenant, "gemeente-ander's desk-1 token", A::kBalie,
       "GET", "/v1/balie/gemeente-test/desks", "balie:ander/desk-1", 403},
      {"GET /v1/balie/{tenant}/desks", K::kOtherTenant, "desk-1's token on gemeente-ander's path",
       A::kBalie, "GET", "/v1/balie/gemeente-ander/desks", "balie:test/desk-1", 404},
      {"GET /v1/balie/{tenant}/desks", K::kRight, "desk-2's token (any desk's)", A::kBalie, "GET",
       "/v1/balie/gemeente-test/desks", "balie:test/desk-2", 200},
      {"GET /v1/balie/{tenant}/desks", K::kRight, "gemeente-ander's desk-1 at its own balie",
       A::kBalieAnder, "GET", "/v1/balie/gemeente-ander/desks", "balie:ander/desk-1", 200},

      {"GET /v1/balie/{tenant}/desks/{desk}", K::kNone, "no token", A::kBalie, "GET",
       "/v1/balie/gemeente-test/desks/desk-1", "", 401},
      {"GET /v1/balie/{tenant}/desks/{desk}", K::kWrong, "desk-2's token", A::kBalie, "GET",
       "/v1/balie/gemeente-test/desks/desk-1", "balie:test/desk-2", 403},
      {"GET /v1/balie/{tenant}/desks/{desk}", K::kWrong, "the kiosk's token", A::kBalie, "GET",
       "/v1/balie/gemeente-test/desks/desk-1", "balie:test/kiosk", 403},
      {"GET /v1/balie/{tenant}/desks/{desk}", K::kOtherTenant, "gemeente-ander's desk-1 token",
       A::kBalie, "GET", "/v1/balie/gemeente-test/desks/desk-1", "balie:ander/desk-1", 403},
      {"GET /v1/balie/{tenant}/desks/{desk}", K::kOtherTenant,
       "desk-1's token on gemeente-ander's path", A::kBalie, "GET",
       "/v1/balie/gemeente-ander/desks/desk-1", "balie:test/desk-1", 404},
      {"GET /v1/balie/{tenant}/desks/{desk}", K::kWrong, "a desk that does not exist", A::kBalie,
       "GET", "/v1/balie/gemeente-test/desks/desk-9", "balie:test/desk-1", 404},
      {"GET /v1/balie/{tenant}/desks/{desk}", K::kRight, "desk-1's token", A::kBalie, "GET",
       "/v1/balie/gemeente-test/desks/desk-1", "balie:test/desk-1", 200},

      {"POST /v1/balie/{tenant}/desks/{desk}/next", K::kNone, "no token", A::kBalie, "POST",
       "/v1/balie/gemeente-test/desks/desk-1/next", "", 401, "{}"},
      {"POST /v1/balie/{tenant}/desks/{desk}/next", K::kWrong, "desk-2's token", A::kBalie, "POST",
       "/v1/balie/gemeente-test/desks/desk-1/next", "balie:test/desk-2", 403, "{}"},
      {"POST /v1/balie/{tenant}/desks/{desk}/next", K::kWrong, "the kiosk's token", A::kBalie,
       "POST", "/v1/balie/gemeente-test/desks/desk-1/next", "balie:test/kiosk", 403, "{}"},
      {"POST /v1/balie/{tenant}/desks/{desk}/next", K::kOtherTenant,
       "gemeente-ander's desk-1 token", A::kBalie, "POST",
       "/v1/balie/gemeente-test/desks/desk-1/next", "balie:ander/desk-1", 403, "{}"},
      {"POST /v1/balie/{tenant}/desks/{desk}/next", K::kOtherTenant,
       "desk-1's token on gemeente-ander's path", A::kBalie, "POST",
       "/v1/balie/gemeente-ander/desks/desk-1/next", "balie:test/desk-1", 404, "{}"},
      {"POST /v1/balie/{tenant}/desks/{desk}/next", K::kCors,
       "a foreign Origin with desk-1's token", A::kBalie, "POST",
       "/v1/balie/gemeente-test/desks/desk-1/next", "balie:test/desk-1", 403, "{}", kForeignOrigin},
      // The resident checked in above is called to desk-1.
      {"POST /v1/balie/{tenant}/desks/{desk}/next", K::kRight, "desk-1's token", A::kBalie, "POST",
       "/v1/balie/gemeente-test/desks/desk-1/next", "balie:test/desk-1", 200, "{}"},

      {"POST /v1/balie/{tenant}/desks/{desk}/done", K::kNone, "no token", A::kBalie, "POST",
       "/v1/balie/gemeente-test/desks/desk-1/done", "", 401, "{}"},
      {"POST /v1/balie/{tenant}/desks/{desk}/done", K::kWrong, "desk-2's token", A::kBalie, "POST",
       "/v1/balie/gemeente-test/desks/desk-1/done", "balie:test/desk-2", 403, "{}"},
      {"POST /v1/balie/{tenant}/desks/{desk}/done", K::kWrong, "the kiosk's token", A::kBalie,
       "POST", "/v1/balie/gemeente-test/desks/desk-1/done", "balie:test/kiosk", 403, "{}"},
      {"POST /v1/balie/{tenant}/desks/{desk}/done", K::kOtherTenant,
       "gemeente-ander's desk-1 token", A::kBalie, "POST",
       "/v1/balie/gemeente-test/desks/desk-1/done", "balie:ander/desk-1", 403, "{}"},
      {"POST /v1/balie/{tenant}/desks/{desk}/done", K::kOtherTenant,
       "desk-1's token on gemeente-ander's path", A::kBalie, "POST",
       "/v1/balie/gemeente-ander/desks/desk-1/done", "balie:test/desk-1", 404, "{}"},
      {"POST /v1/balie/{tenant}/desks/{desk}/done", K::kRight, "desk-1's token", A::kBalie, "POST",
       "/v1/balie/gemeente-test/desks/desk-1/done", "balie:test/desk-1", 200, "{}"},

      {"GET /v1/balie/{tenant}/display", K::kPublic, "no credential", A::kBalie, "GET",
       "/v1/balie/gemeente-test/display", "", 200},
      {"GET /v1/balie/{tenant}/display", K::kPublic, "any token is ignored", A::kBalie, "GET",
       "/v1/balie/gemeente-test/display", "made-up", 200},
      {"GET /v1/balie/{tenant}/display", K::kOtherTenant, "gemeente-ander's display", A::kBalie,
       "GET", "/v1/balie/gemeente-ander/display", "", 404},
      {"GET /v1/balie/{tenant}/display", K::kCors, "a foreign Origin: answered, not shared",
       A::kBalie, "GET", "/v1/balie/gemeente-test/display", "", 200, "", kForeignOrigin},
      {"GET /v1/balie/{tenant}/display/events", K::kPublic, "no credential", A::kBalie, "GET",
       "/v1/balie/gemeente-test/display/events?once=1", "", 200},
      {"GET /v1/balie/{tenant}/display/events", K::kOtherTenant, "gemeente-ander's events",
       A::kBalie, "GET", "/v1/balie/gemeente-ander/display/events?once=1", "", 404},
      {"GET /v1/balie/{tenant}/display/events", K::kCors, "the allowed Origin", A::kBalie, "GET",
       "/v1/balie/gemeente-test/display/events?once=1", "", 200, "", kAllowedOrigin,
       Acao::kAllowedOrigin},

      {"GET /livez", K::kPublic, "no credential", A::kBalie, "GET", "/livez", "", 200},
      {"GET /healthz", K::kPublic, "no credential", A::kBalie, "GET", "/healthz", "", 200},
      {"GET /livez", K::kPlainHttp, "plain HTTP to the HTTPS listener", A::kBalie, "GET", "/livez",
       "", kNoHttpAnswer},
  };
  return *table;
}

std::string Label(const Row& row) {
  return absl::StrCat("[", AdapterName(row.adapter), "] ", row.route, " — ", row.description, " (",
                      row.method, " ", row.path, ")");
}

// The table has, for every route, the cases it needs, and names no route that kRoutes lacks.
// Pure: runs without processes.
TEST(HttpAccessTableTest, TheTableCoversEveryRoute) {
  auto same_adapter = [](Adapter row, Adapter route) {
    return row == route || (row == Adapter::kBalieAnder && route == Adapter::kBalie);
  };
  for (const Row& row : Table()) {
    bool known = false;
    for (const RouteSpec& spec : Routes()) {
      known = known || (same_adapter(row.adapter, spec.adapter) && spec.route == row.route);
    }
    EXPECT_TRUE(known) << Label(row) << ": not in Routes()";
  }
  for (const RouteSpec& spec : Routes()) {
    std::set<Kind> kinds;
    for (const Row& row : Table()) {
      if (same_adapter(row.adapter, spec.adapter) && row.route == spec.route) {
        kinds.insert(row.kind);
      }
    }
    const std::string name = absl::StrCat(AdapterName(spec.adapter), " ", spec.route);
    EXPECT_FALSE(kinds.empty()) << name << ": no row";
    if (spec.credential) {
      EXPECT_TRUE(kinds.count(Kind::kNone)) << name << ": no row without a credential";
      EXPECT_TRUE(kinds.count(Kind::kWrong)) << name << ": no row with a wrong credential";
      EXPECT_TRUE(kinds.count(Kind::kRight)) << name << ": no row with the right credential";
    } else {
      EXPECT_TRUE(kinds.count(Kind::kPublic)) << name << ": no row of a public call";
    }
    if (spec.tenant_in_path && spec.credential) {
      EXPECT_TRUE(kinds.count(Kind::kOtherTenant)) << name << ": no row of another tenant";
    }
  }
  for (Adapter adapter : {Adapter::kChat, Adapter::kWebform, Adapter::kBalie}) {
    std::set<Kind> kinds;
    bool foreign = false;
    bool allowed = false;
    for (const Row& row : Table()) {
      if (row.adapter != adapter) continue;
      kinds.insert(row.kind);
      foreign = foreign || (row.origin == kForeignOrigin && row.acao == Acao::kAbsent);
      allowed = allowed || row.acao == Acao::kAllowedOrigin;
    }
    EXPECT_TRUE(kinds.count(Kind::kPlainHttp)) << AdapterName(adapter) << ": no plain HTTP row";
    EXPECT_TRUE(foreign) << AdapterName(adapter) << ": no row with a foreign Origin";
    EXPECT_TRUE(allowed) << AdapterName(adapter) << ": no row with the allowed Origin";
  }
}

// What came back for one row: an HTTP answer, or none (the connection failed).
struct Answer {
  bool http = false;
  int status = 0;
  httplib::Headers headers;
  std::string body;
  std::string error;

  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

class HttpAccessTableE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // A write to a connection the server has closed (plain HTTP to an HTTPS port) must fail
    // the request, not kill the test: OpenSSL writes without MSG_NOSIGNAL.
    signal(SIGPIPE, SIG_IGN);
    char tmpl[] = "/tmp/wissel-http-access-XXXXXX";
    dir_ = new std::string(mkdtemp(tmpl));
    ASSERT_TRUE(adapters::testing::WriteSelfSignedCertificate(Cert(), *dir_ + "/tls.key",
                                                              "wissel-access-e2e"));
    auto redis = RedisServer::Start();
    ASSERT_TRUE(redis.ok()) << redis.status();
    redis_ = redis->release();
    router_ = new WisseldProcess(WISSELD_BINARY, RouterConfig(redis_->port()));
    ASSERT_TRUE(router_->Start().ok()) << router_->Log();

    chat_ = StartAdapter({WISSEL_CHAT_BINARY}, {});
    webform_ = StartAdapter({WISSEL_WEBFORM_BINARY}, {});
    balie_ = StartBalie("test");
    balie_ander_ = StartBalie("ander");
    ASSERT_TRUE(chat_ && webform_ && balie_ && balie_ander_);
    WaitForDeskSignedIn("gemeente-test", "desk-1");

    tokens_ = new std::map<std::string, std::string>(BalieTokens());
    (*tokens_)["made-up"] = "made-up-token-0123456789abcdefghijk";
    vars_ = new std::map<std::string, std::string>();
    for (const auto& [tenant, session] :
         std::vector<std::pair<std::string, std::string>>{{"test", "acl-read"},
                                                          {"test", "acl-other"},
                                                          {"test", "acl-end"},
                                                          {"test", "acl-delete"},
                                                          {"ander", "acl-read"},
                                                          {"ander", "acl-end"}}) {
      OpenChat(tenant, session);
    }
    for (const auto& [tenant, submission] : std::vector<std::pair<std::string, std::string>>{
             {"test", "acl-form"}, {"test", "acl-form-other"}, {"ander", "acl-form"}}) {
      Submit(tenant, submission);
    }
    for (const auto& [name, token] : *tokens_) (*vars_)[absl::StrCat("{token:", name, "}")] = token;
  }

  static void TearDownTestSuite() {
    delete chat_;
    delete webform_;
    delete balie_;
    delete balie_ander_;
    if (router_ != nullptr) (void)router_->SignalAndWait(SIGTERM, absl::Seconds(10));
    delete router_;
    delete redis_;
    delete tokens_;
    delete vars_;
    if (dir_ != nullptr) {
      std::error_code ec;
      std::filesystem::remove_all(*dir_, ec);
    }
    delete dir_;
  }

  static std::string Cert() { return *dir_ + "/tls.crt"; }

  // Starts an adapter on HTTPS with the test's certificate, the allowed origin and a rate limit
  // the table stays under; nullptr (and a failure) when it does not come up.
  static ChildProcess* StartAdapter(std::vector<std::string> argv, std::vector<std::string> env) {
    for (std::string flag : {std::string("--listen=127.0.0.1:0"), "--tls_cert_file=" + Cert(),
                             "--tls_key_file=" + *dir_ + "/tls.key",
                             std::string("--allowed_origins=") + kAllowedOrigin,
                             std::string("--rate_limit_burst=1000"),
                             absl::StrCat("--router=127.0.0.1:", router_->port()),
                             std::string("--router_plaintext")}) {
      argv.push_back(std::move(flag));
    }
    const std::string program = argv[0];
    auto* adapter = new ChildProcess(std::move(argv), std::move(env));
    absl::Status s = adapter->Start();
    if (s.ok()) s = adapter->WaitForPort().status();
    if (!s.ok()) {
      ADD_FAILURE() << program << ": " << s << adapter->Log();
      delete adapter;
      return nullptr;
    }
    return adapter;
  }

  static ChildProcess* StartBalie(const std::string& tenant) {
    const std::string config = absl::StrCat(*dir_, "/balie-", tenant, ".yaml");
    std::ofstream(config) << absl::StrReplaceAll(kBalieConfig, {{"TENANT", "gemeente-" + tenant}});
    const auto& tokens = BalieTokens();
    return StartAdapter(
        {WISSEL_BALIE_BINARY, "--config=" + config, "--next_wait=10s", "--router_deadline=5s"},
        {"ACL_DESK_1_TOKEN=" + tokens.at(absl::StrCat("balie:", tenant, "/desk-1")),
         "ACL_DESK_2_TOKEN=" + tokens.at(absl::StrCat("balie:", tenant, "/desk-2")),
         "ACL_KIOSK_TOKEN=" + tokens.at(absl::StrCat("balie:", tenant, "/kiosk"))});
  }

  // The desk agents sign in in the background: wait (bounded) until the router knows the desk.
  static void WaitForDeskSignedIn(const std::string& tenant, const std::string& desk) {
    auto stub = v1::HandlerService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", router_->port()), grpc::InsecureChannelCredentials()));
    const absl::Time give_up = absl::Now() + absl::Seconds(20);
    while (absl::Now() < give_up) {
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
      v1::GetHandlerRequest req;
      req.set_tenant(tenant);
      req.set_handler_id(desk);
      v1::Handler handler;
      if (stub->GetHandler(&ctx, req, &handler).ok()) return;
      absl::SleepFor(absl::Milliseconds(100));
    }
    ADD_FAILURE() << desk << " never signed in: " << balie_->Log();
  }

  // An HTTPS client that verifies the adapter's certificate (SSLClient cannot be moved).
  static std::unique_ptr<httplib::SSLClient> Client(const ChildProcess* adapter) {
    auto client = std::make_unique<httplib::SSLClient>("127.0.0.1", adapter->port());
    client->set_ca_cert_path(Cert().c_str());
    client->enable_server_certificate_verification(true);
    client->set_connection_timeout(5, 0);
    client->set_read_timeout(15, 0);
    return client;
  }

  // Opens a chat session (setup, not a row); keeps its token as "chat:TENANT/SESSION".
  static void OpenChat(const std::string& tenant, const std::string& session_id) {
    auto res = Client(chat_)->Post("/v1/chat/sessions",
                                   OpenBody(absl::StrCat("gemeente-", tenant), session_id),
                                   "application/json");
    ASSERT_TRUE(res) << httplib::to_string(res.error());
    ASSERT_EQ(res->status, 200) << res->body;
    const auto session = ParseJson<adapters::chat::api::SessionResponse>(res->body);
    ASSERT_FALSE(session.session_token().empty());
    (*tokens_)[absl::StrCat("chat:", tenant, "/", session_id)] = session.session_token();
  }

  // Submits a web form (setup, not a row); keeps its status token as "form:TENANT/ID" and its
  // contact id as the path variable "{contact:form:TENANT/ID}".
  static void Submit(const std::string& tenant, const std::string& submission_id) {
    auto res = Client(webform_)->Post(absl::StrCat("/v1/forms/gemeente-", tenant, "/grofvuil"),
                                      absl::StrCat(R"({"submission_id":")", submission_id, R"("})"),
                                      "application/json");
    ASSERT_TRUE(res) << httplib::to_string(res.error());
    ASSERT_EQ(res->status, 202) << res->body;
    const auto accepted = ParseJson<adapters::webform::api::SubmissionAccepted>(res->body);
    ASSERT_FALSE(accepted.status_token().empty());
    const std::string name = absl::StrCat("form:", tenant, "/", submission_id);
    (*tokens_)[name] = accepted.status_token();
    (*vars_)[absl::StrCat("{contact:", name, "}")] = accepted.contact_id();
  }

  static const ChildProcess* AdapterOf(Adapter adapter) {
    switch (adapter) {
      case Adapter::kChat:
        return chat_;
      case Adapter::kWebform:
        return webform_;
      case Adapter::kBalie:
        return balie_;
      case Adapter::kBalieAnder:
        return balie_ander_;
    }
    return nullptr;
  }

  // Sends `row` (its variables filled in) and returns what came back. An event stream's answer
  // is its status and headers: the client stops reading after them.
  static Answer Send(const Row& row) {
    const ChildProcess* adapter = AdapterOf(row.adapter);
    const std::string path = absl::StrReplaceAll(row.path, *vars_);
    httplib::Headers headers;
    if (!row.credential.empty()) {
      headers.emplace("Authorization", absl::StrCat("Bearer ", tokens_->at(row.credential)));
    }
    if (!row.origin.empty()) headers.emplace("Origin", row.origin);
    if (row.method == "OPTIONS") {
      // A preflight asks for the method of the route it precedes.
      headers.emplace("Access-Control-Request-Method", row.route.substr(0, row.route.find(' ')));
    }

    Answer answer;
    auto take = [&answer](const httplib::Result& res) {
      if (res) {
        answer.http = true;
        answer.status = res->status;
        answer.headers = res->headers;
        answer.body = res->body;
      } else if (!answer.http) {
        answer.error = httplib::to_string(res.error());
      }
    };
    if (row.kind == Kind::kPlainHttp) {
      httplib::Client plain("127.0.0.1", adapter->port());
      plain.set_connection_timeout(5, 0);
      plain.set_read_timeout(5, 0);
      take(plain.Get(path, headers));
      return answer;
    }
    std::unique_ptr<httplib::SSLClient> client = Client(adapter);
    if (row.method == "GET") {
      take(client->Get(
          path, headers,
          [&answer](const httplib::Response& response) {
            answer.http = true;
            answer.status = response.status;
            answer.headers = response.headers;
            // An event stream stays open: its status and headers are the answer.
            return !absl::StartsWith(response.get_header_value("Content-Type"),
                                     "text/event-stream");
          },
          [&answer](const char* data, size_t length) {
            answer.body.append(data, length);
            return true;
          }));
    } else if (row.method == "POST") {
      take(client->Post(path, headers, row.body, "application/json"));
    } else if (row.method == "DELETE") {
      take(client->Delete(path, headers));
    } else if (row.method == "OPTIONS") {
      take(client->Options(path, headers));
    } else {
      ADD_FAILURE() << Label(row) << ": no such method in this test";
    }
    return answer;
  }

  static std::string* dir_;
  static RedisServer* redis_;
  static WisseldProcess* router_;
  static ChildProcess* chat_;
  static ChildProcess* webform_;
  static ChildProcess* balie_;
  static ChildProcess* balie_ander_;
  // Credential name -> token, and path variable -> value.
  static std::map<std::string, std::string>* tokens_;
  static std::map<std::string, std::string>* vars_;
};

std::string* HttpAccessTableE2eTest::dir_ = nullptr;
RedisServer* HttpAccessTableE2eTest::redis_ = nullptr;
WisseldProcess* HttpAccessTableE2eTest::router_ = nullptr;
ChildProcess* HttpAccessTableE2eTest::chat_ = nullptr;
ChildProcess* HttpAccessTableE2eTest::webform_ = nullptr;
ChildProcess* HttpAccessTableE2eTest::balie_ = nullptr;
ChildProcess* HttpAccessTableE2eTest::balie_ander_ = nullptr;
std::map<std::string, std::string>* HttpAccessTableE2eTest::tokens_ = nullptr;
std::map<std::string, std::string>* HttpAccessTableE2eTest::vars_ = nullptr;

// Every row of the table against the running adapters.
TEST_F(HttpAccessTableE2eTest, EveryRouteAnswersAsTheTableSays) {
  for (const Row& row : Table()) {
    const std::string label = Label(row);
    const Answer answer = Send(row);
    if (row.status == kNoHttpAnswer) {
      EXPECT_FALSE(answer.http) << label << ": answered " << answer.status << " " << answer.body;
      continue;
    }
    if (!answer.http) {
      ADD_FAILURE() << label << ": no HTTP answer (" << answer.error << ")";
      continue;
    }
    EXPECT_EQ(answer.status, row.status) << label << ": " << answer.body;
    // Only the allowed origin is ever named; a foreign one (or none) gets no CORS grant.
    if (row.acao == Acao::kAllowedOrigin) {
      EXPECT_EQ(answer.Header("Access-Control-Allow-Origin"), kAllowedOrigin) << label;
    } else {
      EXPECT_EQ(answer.Header("Access-Control-Allow-Origin"), "") << label;
    }
    if (answer.status >= 400) {
      EXPECT_EQ(answer.Header("Content-Type"), "application/problem+json") << label;
    }
    if (answer.status == 401) {
      EXPECT_TRUE(absl::StartsWith(answer.Header("WWW-Authenticate"), "Bearer realm="))
          << label << ": WWW-Authenticate '" << answer.Header("WWW-Authenticate") << "'";
    }
    // No answer echoes a credential.
    for (const auto& [name, token] : *tokens_) {
      EXPECT_FALSE(absl::StrContains(answer.body, token)) << label << ": echoes " << name;
    }
  }

  // The refused calls changed nothing: gemeente-ander's acl-end, which the rows tried to end
  // with gemeente-test's token, is still queued.
  auto ander = Client(chat_)->Get(
      "/v1/chat/sessions/gemeente-ander/acl-end",
      {{"Authorization", absl::StrCat("Bearer ", tokens_->at("chat:ander/acl-end"))}});
  ASSERT_TRUE(ander) << httplib::to_string(ander.error());
  EXPECT_EQ(ander->status, 200) << ander->body;
  EXPECT_EQ(ParseJson<adapters::chat::api::SessionResponse>(ander->body).state(), "queued");
}

}  // namespace
}  // namespace wissel::testing
