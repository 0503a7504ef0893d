import ArgumentParser

/// The options of benchmarks that run `Benchmarks/pytorch_peer.py` next to TurnRL.
struct PyTorchPeerOptions: ParsableArguments {
    @Option(help: "Path of the PyTorch peer script.")
    var peerScript = "Benchmarks/pytorch_peer.py"

    @Flag(help: "Skip the PyTorch peer even if it is installed.")
    var noPeer = false

    @Option(help: "torch.set_num_threads for the peer (the issues compare at 2).")
    var peerThreads = 2
}
