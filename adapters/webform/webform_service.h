// WebformService: the web form adapter's HTTP endpoints. Each submission becomes an
// asynchronous work item (channel web form) in its topic's team queue; the submission id is the
// idempotency key ("webform:" + id), so a resubmission returns the same contact.
//
//   POST /v1/forms/{tenant}/{topic}                  application/json or
//                                                    application/x-www-form-urlencoded
//        -> 202 Accepted {contact_id, expected_handling_date, queue, ...} + Location
//   GET  /v1/forms/{tenant}/contacts/{contact_id}    the work item's state
//
// Submissions are rate limited per client address (HttpServer::RateLimit: 429 + Retry-After).
// Thread-safe: the HTTP server calls the handlers from its worker threads.
#pragma once

#include "adapters/common/http_server.h"
#include "adapters/common/router_client.h"
#include "adapters/webform/form_request.h"

namespace wissel::adapters::webform {

class WebformService {
 public:
  // Registers the endpoints on `server` (before it starts) and its health check. `router` and
  // `server` must outlive this object.
  WebformService(FormOptions options, RouterClient* router, HttpServer* server);

 private:
  void Submit(const httplib::Request& req, const RequestBody& body, httplib::Response& res);
  void Status(const httplib::Request& req, httplib::Response& res);
  void WriteError(const httplib::Request& req, httplib::Response& res, const absl::Status& status);

  const FormOptions options_;
  RouterClient* const router_;
  HttpServer* const server_;
};

}  // namespace wissel::adapters::webform
