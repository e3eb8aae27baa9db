//! Code written against the first release of the `evolution` crate the way its README and
//! rustdoc teach: values through `new` and `with_` setters, calls awaited or sent after
//! their optional parameters are set, matches with a catch-all arm. It must keep compiling
//! against every later release whose schema only added things.

use evolution::channels::{FeedMessage, FeedParams};
use evolution::types::{Circle, Color, Item, NewItem, Shape, Subscribe};
use evolution::ws::Event;
use evolution::{Client, Error};

/// Lists, creates and describes items, and follows the feed.
pub async fn run(client: &Client) -> Result<Vec<String>, Box<dyn std::error::Error>> {
    let mut seen = Vec::new();
    let items = client.list_items().with_limit(10).await?;
    seen.extend(items.body.iter().map(describe));
    let mut stream = client.list_items().send_streaming().await?;
    while let Some(chunk) = stream.body.next_chunk().await {
        seen.push(format!("{} bytes", chunk?.len()));
    }
    let new = NewItem::new("pen").with_color(Color::Red);
    match client.create_item(&new).await {
        Ok(created) => seen.push(describe(&created.body)),
        Err(Error::Api(problem)) => seen.push(problem.body.title.clone()),
        Err(other) => return Err(other.into()),
    }
    let mut params = FeedParams::new("pens".to_owned());
    params.topic.push('!');
    let mut feed = client.connect_feed(&params).await?;
    feed.send_subscribe(&Subscribe::new("pens")).await?;
    while let Some(event) = feed.recv().await {
        match event? {
            Event::Message(FeedMessage::ItemAdded(added)) => seen.push(added.id.to_string()),
            Event::Message(other) => seen.push(format!("{other:?}")),
            Event::Closed { .. } => break,
            _ => {}
        }
    }
    Ok(seen)
}

/// An item in words.
pub fn describe(item: &Item) -> String {
    let color = match &item.color {
        Some(Color::Red) => "red",
        Some(Color::Green) => "green",
        Some(_) => "another color",
        None => "no color",
    };
    format!("{} ({color}): {}", item.id, item.name)
}

/// A shape's area.
pub fn area(shape: &Shape) -> Option<f64> {
    match shape {
        Shape::Circle(circle) => Some(std::f64::consts::PI * circle.radius * circle.radius),
        Shape::Square(square) => Some(square.side * square.side),
        _ => None,
    }
}

/// A circle, built as taught.
pub fn unit_circle() -> Shape {
    Shape::Circle(Circle::new(1.0))
}

/// The same calls with the blocking client.
#[cfg(feature = "blocking")]
pub fn run_blocking(client: &evolution::blocking::Client) -> Result<usize, Box<dyn std::error::Error>> {
    let items = client.list_items().with_limit(3).send()?;
    let created = client.create_item(&NewItem::new("cup")).send()?;
    Ok(items.body.len() + usize::from(created.body.name == "cup"))
}
