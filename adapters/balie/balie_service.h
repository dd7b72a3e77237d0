// BalieService: the balie adapter's HTTP endpoints — the kiosk's check-in, the desks' actions
// and the waiting-room display.
//
//   POST /v1/balie/{tenant}/checkins              kiosk check-in -> ticket and expected wait
//   GET  /v1/balie/{tenant}/desks                 every desk's state
//   GET  /v1/balie/{tenant}/desks/{desk}          one desk's state
//   POST /v1/balie/{tenant}/desks/{desk}/next     the desk is ready for the next resident
//   POST /v1/balie/{tenant}/desks/{desk}/done     the desk is done with its resident
//   GET  /v1/balie/{tenant}/display               the waiting-room page (HTML)
//   GET  /v1/balie/{tenant}/display/events        Server-Sent Events "called": the recent calls,
//                                                 then live ones (?once=1: recent only;
//                                                 ?after=N or Last-Event-ID: after call N)
//
// A check-in draws a ticket number (TicketCounter), puts it in the contact's attributes
// ("ticket") and routes the contact (channel balie, idempotency key "balie:KIOSK:CHECKIN"). A
// retry with the same kiosk_id and checkin_id answers with the first ticket, read back from the
// router.
//
// Credentials (balie_credentials.h): a check-in needs the kiosk token, a desk's next, done and
// state need that desk's token, the list of desks any desk's token ("Authorization: Bearer
// TOKEN"); no token is 401, another token 403, and nothing happens. The display and its events
// are public and read-only (GET). Check-ins are rate limited per client address.
//
// Thread-safe: the HTTP server calls the handlers from its worker threads.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "absl/time/time.h"
#include "adapters/balie/balie_config.h"
#include "adapters/balie/balie_credentials.h"
#include "adapters/balie/desk_agent.h"
#include "adapters/balie/display_board.h"
#include "adapters/balie/ticket_counter.h"
#include "adapters/common/http_server.h"
#include "adapters/common/router_client.h"

namespace wissel::adapters::balie {

struct BalieOptions {
  // How long POST .../next waits for the router to offer a resident before it answers 202
  // (the desk stays ready and is called as soon as someone checks in). Default 2 s.
  absl::Duration next_wait = absl::Seconds(2);
  // A comment line on idle display streams this often. Default 15 s.
  absl::Duration keep_alive_interval = absl::Seconds(15);
  // The reconnection delay display browsers are told ("retry:"). Default 3 s.
  absl::Duration client_retry = absl::Seconds(3);
  // The wall clock (tests inject a fake one). Default absl::Now.
  std::function<absl::Time()> clock = [] { return absl::Now(); };
  // Who may check in and act at which desk. Default: nobody.
  BalieCredentials credentials;
};

class BalieService {
 public:
  // Registers the endpoints on `server` (before it starts) and its health check. Everything
  // passed by pointer must outlive this object. `desks` maps desk id to its agent (may be
  // empty in tests: desk endpoints then answer 404).
  BalieService(BalieOptions options, const BalieConfig* config, RouterClient* router,
               TicketCounter* tickets, DisplayBoard* board, std::map<std::string, DeskAgent*> desks,
               HttpServer* server);

 private:
  class DisplayStream;

  void Checkin(const httplib::Request& req, const RequestBody& body, httplib::Response& res);
  void DeskAction(const httplib::Request& req, const RequestBody& body, httplib::Response& res,
                  bool next);
  void GetDesk(const httplib::Request& req, httplib::Response& res);
  void ListDesks(const httplib::Request& req, httplib::Response& res);
  void Display(const httplib::Request& req, httplib::Response& res);
  void DisplayEvents(const httplib::Request& req, httplib::Response& res);
  void WriteError(const httplib::Request& req, httplib::Response& res, const absl::Status& status);
  // The desk of the path (tenant in matches[1], desk in matches[2]) when the request carries
  // that desk's token; NotFound "tenant"/"desk", Unauthenticated, PermissionDenied.
  absl::StatusOr<DeskAgent*> FindDesk(const httplib::Request& req);

  const BalieOptions options_;
  const BalieConfig* const config_;
  RouterClient* const router_;
  TicketCounter* const tickets_;
  DisplayBoard* const board_;
  const std::map<std::string, DeskAgent*> desks_;
  HttpServer* const server_;
  absl::TimeZone zone_;
};

}  // namespace wissel::adapters::balie
