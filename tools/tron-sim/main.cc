// tron-sim: the java-tron simulator the tests, the demo and the benchmarks run against.
// All logic lives in the tronsim library; see cli.h for the command line.
#include "cli.h"

int main(int argc, char** argv) { return tronidx::sim::run_command_line(argc, argv); }
