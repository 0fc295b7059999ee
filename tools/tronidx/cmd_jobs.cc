#include <iostream>

#include "commands.h"
#include "progress.h"

namespace tronidx::cli {
namespace {

int started(Client& client, Format format, const grpc::Status& s, const v1::Job& job, const std::string& what,
            bool detach) {
  if (!s.ok()) return fail(s, what, client);
  if (detach) {
    if (format == Format::kJson) {
      std::cout << to_json_line(job) << "\n";
    } else {
      std::cout << job.kind() << " job " << job.id() << " started (blocks " << job.from_block() << ".."
                << job.to_block() << "); follow it with: tronidx jobs " << job.id() << "\n";
    }
    return kExitOk;
  }
  return wait_for_job(client, job.id(), format);
}

}  // namespace

int run_verify(Client& client, Format format, const RangeArgs& args) {
  v1::StartVerifyRequest req;
  req.set_from_block(args.from_block);
  req.set_to_block(args.to_block);
  v1::Job job;
  auto ctx = client.context();
  auto s = client.admin().StartVerify(ctx.get(), req, &job);
  return started(client, format, s, job, "verify", args.detach);
}

int run_reindex(Client& client, Format format, const RangeArgs& args) {
  v1::StartReindexRequest req;
  req.set_from_block(args.from_block);
  req.set_to_block(args.to_block);
  v1::Job job;
  auto ctx = client.context();
  auto s = client.admin().StartReindex(ctx.get(), req, &job);
  return started(client, format, s, job, "reindex", args.detach);
}

int run_backfill(Client& client, Format format, const std::string& address, const RangeArgs& args) {
  v1::StartBackfillRequest req;
  req.set_address(address);
  req.set_from_block(args.from_block);
  req.set_to_block(args.to_block);
  v1::Job job;
  auto ctx = client.context();
  auto s = client.admin().StartBackfill(ctx.get(), req, &job);
  return started(client, format, s, job, "backfill", args.detach);
}

int run_jobs(Client& client, Format format, uint64_t id, bool cancel) {
  if (id != 0 && cancel) {
    v1::CancelJobRequest req;
    req.set_id(id);
    v1::Job job;
    auto ctx = client.context();
    auto s = client.admin().CancelJob(ctx.get(), req, &job);
    if (!s.ok()) return fail(s, "cancel job", client);
    std::cout << "cancelling job " << id << "\n";
    return wait_for_job(client, id, format) == kExitOk ? kExitOk : kExitOk;  // cancelled is the expected end
  }
  if (id != 0) return wait_for_job(client, id, format);  // re-attach to a running job (or show a finished one)
  v1::ListJobsResponse resp;
  auto ctx = client.context();
  auto s = client.admin().ListJobs(ctx.get(), v1::ListJobsRequest(), &resp);
  if (!s.ok()) return fail(s, "jobs", client);
  std::vector<std::vector<std::string>> rows;
  for (const auto& j : resp.jobs()) {
    if (format == Format::kJson) {
      std::cout << to_json_line(j) << "\n";
      continue;
    }
    rows.push_back({std::to_string(j.id()), j.kind(), j.state(),
                    std::to_string(j.from_block()) + ".." + std::to_string(j.to_block()), std::to_string(j.next_block()),
                    std::to_string(j.items()), j.kind() == "verify" ? std::to_string(j.mismatches()) : "-",
                    j.address().empty() ? "-" : j.address(), j.error()});
  }
  if (format != Format::kJson) {
    print_table(std::cout, {"ID", "KIND", "STATE", "RANGE", "NEXT", "ITEMS", "MISMATCHES", "ADDRESS", "ERROR"}, rows);
  }
  return kExitOk;
}

}  // namespace tronidx::cli
