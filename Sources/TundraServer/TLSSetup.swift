import NIOSSL

/// Builds the server's TLS settings from PEM files; a bad file is an error that
/// names it, at start rather than at the first connection.
enum TLSSetup {
    static func configuration(_ files: TLSFiles) throws -> TLSConfiguration {
        let chain: [NIOSSLCertificate]
        let key: NIOSSLPrivateKey
        do {
            chain = try NIOSSLCertificate.fromPEMFile(files.certFile)
        } catch {
            throw ServerError("server.tls.cert_file \(files.certFile): cannot load a PEM certificate: \(error)")
        }
        do {
            key = try NIOSSLPrivateKey(file: files.keyFile, format: .pem)
        } catch {
            throw ServerError("server.tls.key_file \(files.keyFile): cannot load a PEM private key: \(error)")
        }
        guard !chain.isEmpty else { throw ServerError("server.tls.cert_file \(files.certFile): no certificate in the file") }
        return TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
    }
}
