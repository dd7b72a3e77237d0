// wissel-webform: the web form adapter. A thin shell: flags and environment to options, then
// WebformService on an HttpServer with a GrpcRouterClient, until SIGTERM.
#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_split.h"
#include "adapters/common/adapter_main.h"
#include "adapters/common/grpc_router_client.h"
#include "adapters/common/http_server.h"
#include "adapters/common/problem.h"
#include "adapters/common/text.h"
#include "adapters/webform/webform_service.h"

ABSL_FLAG(std::vector<std::string>, attribute_keys,
          std::vector<std::string>({"category", "subcategory", "form", "form_version", "page",
                                    "source"}),
          "Form fields passed to the router as attributes; keep to non-personal ones "
          "(env WISSEL_WEBFORM_ATTRIBUTE_KEYS, comma-separated).");
ABSL_FLAG(int64_t, max_message_bytes, 20000,
          "Longest accepted message field (env WISSEL_WEBFORM_MAX_MESSAGE_BYTES).");
ABSL_FLAG(int64_t, max_status_tokens, 100000,
          "Status tokens remembered by this instance; past it the least recently used is "
          "forgotten and its status is 404 (env WISSEL_WEBFORM_MAX_STATUS_TOKENS).");

int main(int argc, char** argv) {
  wissel::adapters::InitAdapter(
      argc, argv, "wissel-webform [--listen=HOST:PORT] [--router=HOST:PORT] (see --help)",
      {{"attribute_keys", "WISSEL_WEBFORM_ATTRIBUTE_KEYS"},
       {"max_message_bytes", "WISSEL_WEBFORM_MAX_MESSAGE_BYTES"},
       {"max_status_tokens", "WISSEL_WEBFORM_MAX_STATUS_TOKENS"}});
  absl::StatusOr<wissel::adapters::AdapterConfig> config =
      wissel::adapters::AdapterConfigFromFlags("127.0.0.1:8082");
  if (!config.ok()) {
    std::cerr << "wissel-webform: " << config.status().message() << "\n";
    return 2;
  }
  wissel::adapters::webform::WebformOptions options;
  options.form.attribute_keys.clear();
  for (const std::string& key : absl::GetFlag(FLAGS_attribute_keys)) {
    if (key.empty()) continue;
    if (key.size() > wissel::adapters::kMaxAttributeKeyLength || key == "submission_id" ||
        wissel::adapters::ClientFieldName("", key) != key) {
      std::cerr << "wissel-webform: --attribute_keys: '" << key << "' cannot be used\n";
      return 2;
    }
    options.form.attribute_keys.insert(key);
  }
  if (absl::GetFlag(FLAGS_max_message_bytes) < 1) {
    std::cerr << "wissel-webform: --max_message_bytes must be positive\n";
    return 2;
  }
  options.form.max_message_bytes = static_cast<size_t>(absl::GetFlag(FLAGS_max_message_bytes));
  if (absl::GetFlag(FLAGS_max_status_tokens) < 1) {
    std::cerr << "wissel-webform: --max_status_tokens must be positive\n";
    return 2;
  }
  options.max_status_tokens = static_cast<size_t>(absl::GetFlag(FLAGS_max_status_tokens));

  absl::StatusOr<std::unique_ptr<wissel::adapters::AdapterMetrics>> metrics =
      wissel::adapters::AdapterMetrics::Create(config->metrics);
  if (!metrics.ok()) {
    std::cerr << "wissel-webform: " << metrics.status().message() << "\n";
    return 2;
  }
  wissel::adapters::GrpcRouterClient grpc_router(config->router);
  wissel::adapters::RouterClient* router =
      *metrics != nullptr ? (*metrics)->Meter(&grpc_router) : &grpc_router;
  wissel::adapters::HttpServer server(config->http);
  if (*metrics != nullptr) (*metrics)->Observe(&server);
  wissel::adapters::webform::WebformService service(options, router, &server);
  return wissel::adapters::ServeUntilTerminated("wissel-webform", &server, metrics->get());
}
