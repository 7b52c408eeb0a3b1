// A softphone process (baresip, linphonec) with its output collected, commands on stdin, and
// waits on its log: the shared OpenSma.Testing.LoggedProcess, under the name these tests use.
global using PeerProcess = OpenSma.Testing.LoggedProcess;
