//! One plain TCP connection to a broker speaking the Kafka protocol, every step bounded by a
//! deadline.

use super::infer::{find, ApiRange};
use bytes::{Buf, BufMut, BytesMut};
use kafka_protocol::error::ResponseError;
use kafka_protocol::messages::{
    ApiKey, ApiVersionsRequest, ApiVersionsResponse, ConsumerGroupDescribeRequest,
    ConsumerGroupDescribeResponse, DescribeConfigsRequest, DescribeConfigsResponse,
    DescribeGroupsRequest, DescribeGroupsResponse, FindCoordinatorRequest, FindCoordinatorResponse,
    MetadataRequest, MetadataResponse, RequestHeader, ResponseHeader,
};
use kafka_protocol::protocol::{Decodable, Encodable, Message, StrBytes};
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

/// Largest response accepted (a sanity bound on the length prefix).
const MAX_RESPONSE_BYTES: usize = 64 << 20;

/// Why a request got no usable answer.
#[derive(Debug)]
pub(crate) enum WireError {
    /// The deadline passed before the answer arrived.
    Timeout,
    /// The broker closed the connection instead of answering.
    Closed,
    /// A socket error.
    Io(io::Error),
    /// The answer could not be encoded or decoded.
    Codec(String),
}

impl std::fmt::Display for WireError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WireError::Timeout => write!(f, "timed out"),
            WireError::Closed => write!(f, "connection closed by the broker"),
            WireError::Io(e) => write!(f, "{e}"),
            WireError::Codec(e) => write!(f, "malformed message: {e}"),
        }
    }
}

impl From<io::Error> for WireError {
    fn from(e: io::Error) -> Self {
        match e.kind() {
            io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => WireError::Timeout,
            io::ErrorKind::UnexpectedEof
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::BrokenPipe => WireError::Closed,
            _ => WireError::Io(e),
        }
    }
}

/// A request message and the response that answers it.
pub(crate) trait Call: Encodable + Message {
    /// The API key.
    const KEY: ApiKey;
    /// The response type.
    type Response: Decodable;
}

macro_rules! calls {
    ($($req:ty => $resp:ty, $key:ident;)*) => {$(
        impl Call for $req {
            const KEY: ApiKey = ApiKey::$key;
            type Response = $resp;
        }
    )*};
}

calls! {
    ApiVersionsRequest => ApiVersionsResponse, ApiVersions;
    MetadataRequest => MetadataResponse, Metadata;
    DescribeConfigsRequest => DescribeConfigsResponse, DescribeConfigs;
    FindCoordinatorRequest => FindCoordinatorResponse, FindCoordinator;
    DescribeGroupsRequest => DescribeGroupsResponse, DescribeGroups;
    ConsumerGroupDescribeRequest => ConsumerGroupDescribeResponse, ConsumerGroupDescribe;
}

/// The highest version of `R` both this crate and the broker speak, at least `floor`.
pub(crate) fn negotiate<R: Call>(apis: &[ApiRange], floor: i16) -> Option<i16> {
    let theirs = find(apis, R::KEY as i16)?;
    let low = theirs.min.max(R::VERSIONS.min).max(floor);
    let high = theirs.max.min(R::VERSIONS.max);
    (low <= high).then_some(high)
}

/// Time left until `deadline`, or a timeout when none is left.
pub(crate) fn remaining(deadline: Instant) -> Result<Duration, WireError> {
    deadline
        .checked_duration_since(Instant::now())
        .filter(|d| !d.is_zero())
        .ok_or(WireError::Timeout)
}

/// An open connection to one broker.
pub(crate) struct Connection {
    stream: TcpStream,
    deadline: Instant,
    correlation_id: i32,
}

impl Connection {
    /// Connects to `host:port`, trying each of its addresses, within `budget` and never past
    /// `deadline`; later requests share the same deadline.
    pub(crate) fn open(
        address: &str,
        budget: Duration,
        deadline: Instant,
    ) -> Result<Self, WireError> {
        let addrs: Vec<SocketAddr> = address.to_socket_addrs()?.collect();
        let until = deadline.min(Instant::now() + budget);
        let mut last = WireError::Io(io::Error::new(
            io::ErrorKind::NotFound,
            "the name resolves to no address",
        ));
        for addr in addrs {
            match TcpStream::connect_timeout(&addr, remaining(until)?) {
                Ok(stream) => {
                    stream.set_nodelay(true)?;
                    return Ok(Connection {
                        stream,
                        deadline,
                        correlation_id: 0,
                    });
                }
                Err(e) => last = e.into(),
            }
        }
        Err(last)
    }

    /// Asks which API versions the broker accepts (ApiVersions v0, which every broker since
    /// 0.10.0 answers).
    pub(crate) fn api_versions(&mut self) -> Result<Vec<ApiRange>, WireError> {
        let response = self.call(&ApiVersionsRequest::default(), 0)?;
        if let Some(e) = ResponseError::try_from_code(response.error_code) {
            return Err(WireError::Codec(format!("ApiVersions answered {e}")));
        }
        Ok(response
            .api_keys
            .iter()
            .map(|a| ApiRange {
                key: a.api_key,
                min: a.min_version,
                max: a.max_version,
            })
            .collect())
    }

    /// Sends `request` at `version` and waits for its answer.
    pub(crate) fn call<R: Call>(
        &mut self,
        request: &R,
        version: i16,
    ) -> Result<R::Response, WireError> {
        self.correlation_id += 1;
        let header = RequestHeader::default()
            .with_request_api_key(R::KEY as i16)
            .with_request_api_version(version)
            .with_correlation_id(self.correlation_id)
            .with_client_id(Some(StrBytes::from_static_str("steady-probe")));
        let mut body = BytesMut::new();
        header
            .encode(&mut body, R::KEY.request_header_version(version))
            .and_then(|_| request.encode(&mut body, version))
            .map_err(|e| WireError::Codec(e.to_string()))?;
        let mut frame = BytesMut::with_capacity(body.len() + 4);
        frame.put_u32(body.len() as u32);
        frame.put(body);
        self.stream
            .set_write_timeout(Some(remaining(self.deadline)?))?;
        self.stream.write_all(&frame)?;

        let mut response = self.read_frame()?;
        let header = ResponseHeader::decode(&mut response, R::KEY.response_header_version(version))
            .map_err(|e| WireError::Codec(e.to_string()))?;
        if header.correlation_id != self.correlation_id {
            return Err(WireError::Codec(format!(
                "correlation id {} answers request {}",
                header.correlation_id, self.correlation_id
            )));
        }
        R::Response::decode(&mut response, version).map_err(|e| WireError::Codec(e.to_string()))
    }

    fn read_frame(&mut self) -> Result<bytes::Bytes, WireError> {
        let mut len = [0u8; 4];
        self.read_exact(&mut len)?;
        if matches!(len, [0x15 | 0x16, 0x03, ..]) {
            return Err(WireError::Codec(
                "the server answered with TLS: set security.protocol to SSL or SASL_SSL".into(),
            ));
        }
        if &len == b"HTTP" {
            return Err(WireError::Codec(
                "the server answered with HTTP: not a Kafka listener (check the port)".into(),
            ));
        }
        let len = (&len[..]).get_u32() as usize;
        if len > MAX_RESPONSE_BYTES {
            return Err(WireError::Codec(format!(
                "a response length of {len} bytes (over {MAX_RESPONSE_BYTES}): not a Kafka \
                 listener, or a broken one"
            )));
        }
        let mut buf = vec![0u8; len];
        self.read_exact(&mut buf)?;
        Ok(buf.into())
    }

    fn read_exact(&mut self, mut buf: &mut [u8]) -> Result<(), WireError> {
        while !buf.is_empty() {
            self.stream
                .set_read_timeout(Some(remaining(self.deadline)?))?;
            match self.stream.read(buf) {
                Ok(0) => return Err(WireError::Closed),
                Ok(n) => buf = &mut buf[n..],
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::net::TcpListener;

    /// Asks a server that answers every request with `reply` (then hangs up) for its API
    /// versions.
    fn ask(reply: Vec<u8>) -> Result<Vec<ApiRange>, WireError> {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap().to_string();
        let server = std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let mut head = [0u8; 4];
            let _ = stream.read_exact(&mut head);
            let _ = stream.write_all(&reply);
        });
        let deadline = Instant::now() + Duration::from_secs(5);
        let result = Connection::open(&address, Duration::from_secs(5), deadline)
            .and_then(|mut c| c.api_versions());
        server.join().unwrap();
        result
    }

    /// A well-formed ApiVersions v0 answer to request 1, framed: correlation id, error code,
    /// one API (ApiVersions 0-3).
    fn api_versions_frame() -> Vec<u8> {
        let mut body = BytesMut::new();
        body.put_i32(1);
        body.put_i16(0);
        body.put_i32(1);
        for v in [18i16, 0, 3] {
            body.put_i16(v);
        }
        let mut frame = (body.len() as u32).to_be_bytes().to_vec();
        frame.extend_from_slice(&body);
        frame
    }

    #[test]
    fn a_well_formed_answer_decodes() {
        let apis = ask(api_versions_frame()).unwrap();
        assert_eq!((apis[0].key, apis[0].min, apis[0].max), (18, 0, 3));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn random_answers_are_errors_not_panics(reply in proptest::collection::vec(any::<u8>(), 0..256)) {
            let _ = ask(reply);
        }

        #[test]
        fn truncated_answers_are_errors(cut in 0usize..1000) {
            let mut frame = api_versions_frame();
            let cut = cut % frame.len();
            frame.truncate(cut);
            prop_assert!(ask(frame).is_err(), "a frame cut at {} decoded", cut);
        }

        #[test]
        fn a_bad_length_in_a_good_frame_is_an_error(delta in 1u32..64) {
            let mut frame = api_versions_frame();
            let len = u32::from_be_bytes([frame[0], frame[1], frame[2], frame[3]]);
            frame[..4].copy_from_slice(&(len + delta).to_be_bytes());
            prop_assert!(ask(frame).is_err());
        }
    }
}
