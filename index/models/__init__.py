"""The embedding models: the protocol, the ONNX exports, all-mpnet-base-v2 from its parts, latent terms."""
