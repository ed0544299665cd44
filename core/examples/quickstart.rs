//! Consume a topic under steady: handlers as slow as they need to be, acks from any thread.
//!
//! `cargo run --release -p steady-core --example quickstart -- 127.0.0.1:19092 orders`

use std::time::Duration;
use steady_core::{Consumer, Settings};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let bootstrap = args.next().unwrap_or_else(|| "127.0.0.1:19092".into());
    let topic = args.next().unwrap_or_else(|| "orders".into());

    let settings = Settings::from_pairs([
        ("bootstrap.servers", bootstrap.as_str()),
        ("group.id", "quickstart"),
        ("auto.offset.reset", "earliest"),
        ("steady.processing.timeout.ms", "300000"),
    ]);
    let consumer = Consumer::new(&settings, &[&topic])?;
    // Stop after five idle seconds; a service would loop until shutdown.
    while let Some(record) = consumer.recv(Duration::from_secs(5))? {
        let size = record.payload().map_or(0, <[u8]>::len);
        println!(
            "{}/{}@{}: {size} bytes",
            record.topic(),
            record.partition(),
            record.offset()
        );
        record.ack()?; // any thread, any order; commits cover only the acked prefix
    }
    println!("{}", consumer.stats().to_json());
    consumer.close()?;
    Ok(())
}
