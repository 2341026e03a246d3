// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// RunCli: the command table, usage texts, and the mapping of errors to exit codes (eyelet/cli.h).
#include "eyelet/cli.h"

#include <exception>
#include <string>
#include <vector>

#include "eyelet/error.h"
#include "eyelet/interrupt.h"
#include "flags.h"

namespace eyelet {
namespace cli {
namespace {

const Command* const kCommands[] = {&kRunCommand,  &kLayerCommand, &kPeCommand,   &kSweepCommand,
                                    &kInfoCommand, &kMapCommand,   &kBenchCommand};

const Command* FindCommand(const std::string& name) {
  for (const Command* c : kCommands) {
    if (name == c->name) return c;
  }
  return nullptr;
}

void PrintMainUsage(std::ostream& os) {
  os << "usage: eyelet <command> [options]\n"
        "\n"
        "Eyelet: a row-stationary DNN accelerator (RTL, golden model and tools).\n"
        "\n"
        "commands:\n";
  for (const Command* c : kCommands) {
    std::string name = c->name;
    name.resize(8, ' ');
    os << "  " << name << c->summary << "\n";
  }
  os << "  help    show the options of a command: eyelet help <command>\n"
        "\n"
        "Run 'eyelet <command> --help' for a command's options. Exit codes: 0 ok, 1 a\n"
        "comparison failed, 2 usage error, 3 error while running the job.\n";
}

void PrintCommandUsage(const Command& c, std::ostream& os) {
  os << "usage: eyelet " << c.name << (c.positional ? " MODEL.onnx" : "") << " [options]\n\n"
     << c.details << "\n\n"
     << c.describe();
}

}  // namespace
}  // namespace cli

int RunCli(int argc, char** argv, std::ostream& out, std::ostream& err) {
  using cli::Command;
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
  if (args.empty()) {
    cli::PrintMainUsage(err);
    return kExitUsage;
  }
  const std::string& name = args[0];
  if (name == "--help" || name == "-h" || name == "help") {
    if (args.size() == 1) {
      cli::PrintMainUsage(out);
      return kExitOk;
    }
    const Command* c = cli::FindCommand(args[1]);
    if (c != nullptr && args.size() == 2) {
      cli::PrintCommandUsage(*c, out);
      return kExitOk;
    }
    if (c == nullptr) {
      err << "eyelet: no help for '" << args[1] << "': not a command\n\n";
    } else {
      err << "eyelet: help takes one command name, not '" << args[2] << "' as well\n\n";
    }
    cli::PrintMainUsage(err);
    return kExitUsage;
  }
  const Command* command = cli::FindCommand(name);
  if (command == nullptr) {
    err << "eyelet: unknown " << (name[0] == '-' ? "option" : "command") << " '" << name << "'\n\n";
    cli::PrintMainUsage(err);
    return kExitUsage;
  }
  try {
    const cli::po::variables_map vm =
        cli::ParseFlags(std::vector<std::string>(args.begin() + 1, args.end()), command->describe(),
                        command->positional);
    if (vm.count("help")) {
      cli::PrintCommandUsage(*command, out);
      return kExitOk;
    }
    const int code = command->run(vm, out);
    ForgetPartialOutputs();
    return code;
  } catch (const InterruptedError& e) {
    const int removed = RemovePartialOutputs();
    err << "eyelet " << command->name << ": " << e.what()
        << (removed > 0 ? " (the unfinished trace was removed)" : "") << "\n";
    return kExitInterrupted;
  } catch (const UsageError& e) {
    err << "eyelet " << command->name << ": " << e.what() << "\n\n";
    cli::PrintCommandUsage(*command, err);
    ForgetPartialOutputs();
    return kExitUsage;
  } catch (const Error& e) {
    err << "eyelet: error: " << e.what() << "\n";
    ForgetPartialOutputs();
    return kExitError;
  } catch (const std::exception& e) {
    err << "eyelet: error: internal: " << e.what() << "\n";
    ForgetPartialOutputs();
    return kExitError;
  }
}

}  // namespace eyelet
