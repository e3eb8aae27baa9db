//! Every Rust example of the generated references, compiled against the generated
//! crates. Written by `UPDATE_DOCS_SNAPSHOTS=1 cargo test -p autessa-tests --test docs`;
//! the `docs` test fails when it differs from what the docs show.

use std::future::Future;
use std::pin::Pin;

/// One example call, not started.
pub type Example = Pin<Box<dyn Future<Output = Result<(), Box<dyn std::error::Error>>>>>;

#[rustfmt::skip]
pub mod autessa {
    use super::Example;

    async fn create_conversation_example() -> Result<(), Box<dyn std::error::Error>> {
        let client = autessa::Client::new("https://api.autessa.com", "YOUR_API_KEY")?;
        let body = autessa::types::CreateConversationRequest::new(123)
            .with_version(
                autessa::types::CustomVersion::new()
                    .with_version_state(autessa::types::VersionState::Draft),
            );
        let response = client.create_conversation(&body).await?;
        println!("{:?}", response.body);
        Ok(())
    }

    async fn execute_agent_example() -> Result<(), Box<dyn std::error::Error>> {
        let client = autessa::Client::new("https://api.autessa.com", "YOUR_API_KEY")?;
        let body = autessa::types::ExecuteAgentRequest::new(
                123,
                Vec::from([
                    autessa::types::AgentInput::Text(
                        autessa::types::TextInput::new("Hello!".to_owned()),
                    ),
                ]),
            )
            .with_conversation_id("conv_abc123".to_owned())
            .with_output_type(autessa::types::OutputType::Text)
            .with_environment_variables(
                std::collections::BTreeMap::from([
                    ("CRM_API_KEY".to_owned(), "sk-live-4f9a".to_owned()),
                ]),
            )
            .with_prompt_template_variables(
                std::collections::BTreeMap::from([
                    ("customerName".to_owned(), "Ada".to_owned()),
                ]),
            );
        let response = client.execute_agent(&body).await?;
        println!("{:?}", response.body);
        Ok(())
    }

    async fn close_conversation_example() -> Result<(), Box<dyn std::error::Error>> {
        let client = autessa::Client::new("https://api.autessa.com", "YOUR_API_KEY")?;
        let body = autessa::types::CloseConversationRequest::new(
            123,
            "conv_abc123".to_owned(),
        );
        let response = client.close_conversation(&body).await?;
        println!("{:?}", response.body);
        Ok(())
    }

    async fn execute_tool_example() -> Result<(), Box<dyn std::error::Error>> {
        let client = autessa::Client::new("https://api.autessa.com", "YOUR_API_KEY")?;
        let body = autessa::types::ExecuteToolRequest::new(456)
            .with_variables(
                std::collections::BTreeMap::from([
                    ("city".to_owned(), serde_json::json!("Lisbon")),
                    ("days".to_owned(), serde_json::json!(3)),
                ]),
            )
            .with_private_variables(
                std::collections::BTreeMap::from([
                    ("accountNumber".to_owned(), serde_json::json!("DE89370400440532013000")),
                ]),
            )
            .with_environment_variables(
                std::collections::BTreeMap::from([
                    ("WEATHER_API_KEY".to_owned(), "wk-93b1".to_owned()),
                ]),
            )
            .with_debug(true);
        let response = client.execute_tool(&body).await?;
        println!("{:?}", response.body);
        Ok(())
    }

    async fn insert_row_example() -> Result<(), Box<dyn std::error::Error>> {
        let client = autessa::Client::new("https://api.autessa.com", "YOUR_API_KEY")?;
        let body = autessa::types::InsertRowRequest::new(
            789,
            std::collections::BTreeMap::from([
                (
                    "name".to_owned(),
                    autessa::types::AutessaDbColumnValue::new(
                        autessa::types::ColumnType::String,
                        serde_json::json!("Ada Lovelace"),
                    ),
                ),
                (
                    "age".to_owned(),
                    autessa::types::AutessaDbColumnValue::new(
                        autessa::types::ColumnType::Integer,
                        serde_json::json!(36),
                    ),
                ),
            ]),
        );
        let response = client.insert_row(&body).await?;
        println!("{:?}", response.body);
        Ok(())
    }

    async fn update_row_example() -> Result<(), Box<dyn std::error::Error>> {
        let client = autessa::Client::new("https://api.autessa.com", "YOUR_API_KEY")?;
        let body = autessa::types::UpdateRowRequest::new(
            789,
            1001,
            std::collections::BTreeMap::from([
                (
                    "age".to_owned(),
                    autessa::types::AutessaDbColumnValue::new(
                        autessa::types::ColumnType::Integer,
                        serde_json::json!(37),
                    ),
                ),
            ]),
        );
        let response = client.update_row(&body).await?;
        println!("{:?}", response.body);
        Ok(())
    }

    async fn batch_update_rows_example() -> Result<(), Box<dyn std::error::Error>> {
        let client = autessa::Client::new("https://api.autessa.com", "YOUR_API_KEY")?;
        let body = autessa::types::BatchUpdateRowsRequest::new(
            789,
            Vec::from([
                autessa::types::RowUpdate::new(
                    1001,
                    std::collections::BTreeMap::from([
                        (
                            "age".to_owned(),
                            autessa::types::AutessaDbColumnValue::new(
                                autessa::types::ColumnType::Integer,
                                serde_json::json!(37),
                            ),
                        ),
                    ]),
                ),
                autessa::types::RowUpdate::new(
                    1002,
                    std::collections::BTreeMap::from([
                        (
                            "name".to_owned(),
                            autessa::types::AutessaDbColumnValue::new(
                                autessa::types::ColumnType::String,
                                serde_json::json!("Charles Babbage"),
                            ),
                        ),
                    ]),
                ),
            ]),
        );
        let response = client.batch_update_rows(&body).await?;
        println!("{:?}", response.body);
        Ok(())
    }

    async fn delete_row_example() -> Result<(), Box<dyn std::error::Error>> {
        let client = autessa::Client::new("https://api.autessa.com", "YOUR_API_KEY")?;
        let body = autessa::types::DeleteRowRequest::new(789, 1001);
        let response = client.delete_row(&body).await?;
        println!("{:?}", response.body);
        Ok(())
    }

    async fn batch_delete_rows_example() -> Result<(), Box<dyn std::error::Error>> {
        let client = autessa::Client::new("https://api.autessa.com", "YOUR_API_KEY")?;
        let body = autessa::types::BatchDeleteRowsRequest::new(
            789,
            Vec::from([1001, 1002, 1003]),
        );
        let response = client.batch_delete_rows(&body).await?;
        println!("{:?}", response.body);
        Ok(())
    }

    async fn get_data_example() -> Result<(), Box<dyn std::error::Error>> {
        let client = autessa::Client::new("https://api.autessa.com", "YOUR_API_KEY")?;
        let body = autessa::types::GetDataRequest::new(789)
            .with_pagination(autessa::types::Pagination::new(0, 2).with_ascending(true));
        let response = client.get_data(&body).await?;
        println!("{:?}", response.body);
        Ok(())
    }

    async fn get_single_row_example() -> Result<(), Box<dyn std::error::Error>> {
        let client = autessa::Client::new("https://api.autessa.com", "YOUR_API_KEY")?;
        let body = autessa::types::GetSingleRowRequest::new(789, 1001);
        let response = client.get_single_row(&body).await?;
        println!("{:?}", response.body);
        Ok(())
    }

    async fn query_table_example() -> Result<(), Box<dyn std::error::Error>> {
        let client = autessa::Client::new("https://api.autessa.com", "YOUR_API_KEY")?;
        let body = autessa::types::QueryTableRequest::new(789)
            .with_selected_columns(
                Vec::from([
                    autessa::types::SelectedColumn::new("name".to_owned()),
                    autessa::types::SelectedColumn::new("age".to_owned()),
                ]),
            )
            .with_filters(
                autessa::types::WhereFilter::new(
                    autessa::types::LogicalOperand::And,
                    Vec::from([
                        autessa::types::FilterGroup::new(
                            autessa::types::LogicalOperand::Or,
                            Vec::from([
                                autessa::types::FilterStatement::new(
                                        "age".to_owned(),
                                        autessa::types::FilterOperator::GreaterThanOrEquals,
                                    )
                                    .with_value(serde_json::json!(30)),
                                autessa::types::FilterStatement::new(
                                        "name".to_owned(),
                                        autessa::types::FilterOperator::Like,
                                    )
                                    .with_value(serde_json::json!("Ada%")),
                            ]),
                        ),
                    ]),
                ),
            )
            .with_pagination(autessa::types::Pagination::new(0, 25));
        let response = client.query_table(&body).await?;
        println!("{:?}", response.body);
        Ok(())
    }

    async fn join_query_example() -> Result<(), Box<dyn std::error::Error>> {
        let client = autessa::Client::new("https://api.autessa.com", "YOUR_API_KEY")?;
        let body = autessa::types::JoinQueryRequest::new(
                789,
                "c".to_owned(),
                Vec::from([
                    autessa::types::SelectedColumn::new("name".to_owned())
                        .with_table_alias("c".to_owned()),
                    autessa::types::SelectedColumn::new("total".to_owned())
                        .with_table_alias("o".to_owned())
                        .with_column_alias("orderTotal".to_owned())
                        .with_functions(Vec::from([autessa::types::AggregateFunction::Sum])),
                ]),
                Vec::from([
                    autessa::types::JoinStatement::new(
                            autessa::types::JoinType::Left,
                            790,
                            "o".to_owned(),
                            "id".to_owned(),
                            "customerId".to_owned(),
                        )
                        .with_join_filters(
                            autessa::types::WhereFilter::new(
                                autessa::types::LogicalOperand::And,
                                Vec::from([
                                    autessa::types::FilterGroup::new(
                                        autessa::types::LogicalOperand::And,
                                        Vec::from([
                                            autessa::types::FilterStatement::new(
                                                    "status".to_owned(),
                                                    autessa::types::FilterOperator::Equals,
                                                )
                                                .with_value(serde_json::json!("PAID")),
                                        ]),
                                    ),
                                ]),
                            ),
                        ),
                ]),
            )
            .with_pagination(autessa::types::Pagination::new(0, 50));
        let response = client.join_query(&body).await?;
        println!("{:?}", response.body);
        Ok(())
    }

    async fn semantic_search_example() -> Result<(), Box<dyn std::error::Error>> {
        let client = autessa::Client::new("https://api.autessa.com", "YOUR_API_KEY")?;
        let body = autessa::types::SemanticSearchRequest::new(
                789,
                "summary".to_owned(),
                "mathematician who wrote the first computer program".to_owned(),
            )
            .with_limit(5)
            .with_filters(
                autessa::types::WhereFilter::new(
                    autessa::types::LogicalOperand::And,
                    Vec::from([
                        autessa::types::FilterGroup::new(
                            autessa::types::LogicalOperand::And,
                            Vec::from([
                                autessa::types::FilterStatement::new(
                                        "active".to_owned(),
                                        autessa::types::FilterOperator::Equals,
                                    )
                                    .with_value(serde_json::json!(true)),
                            ]),
                        ),
                    ]),
                ),
            );
        let response = client.semantic_search(&body).await?;
        println!("{:?}", response.body);
        Ok(())
    }

    async fn generate_upload_link_example() -> Result<(), Box<dyn std::error::Error>> {
        let client = autessa::Client::new("https://api.autessa.com", "YOUR_API_KEY")?;
        let body = autessa::types::GenerateUploadLinkRequest::new(
            789,
            "customers.csv".to_owned(),
            autessa::types::FileType::Csv,
        );
        let response = client.generate_upload_link(&body).await?;
        println!("{:?}", response.body);
        Ok(())
    }

    async fn index_record_example() -> Result<(), Box<dyn std::error::Error>> {
        let client = autessa::Client::new("https://api.autessa.com", "YOUR_API_KEY")?;
        let body = autessa::types::IndexRecordRequest::new(
                789,
                "tmp/789/7c1e2b/customers.csv".to_owned(),
            )
            .with_file_delimiter(autessa::types::FileDelimiter::Comma);
        let response = client.index_record(&body).await?;
        println!("{:?}", response.body);
        Ok(())
    }

    async fn agent_execute_execute_message_example() -> Result<(), Box<dyn std::error::Error>> {
        use autessa::channels::{AgentExecuteParams, AgentExecuteReply};
        use autessa::types;
        use autessa::ws::stream::StreamExt;
        let client = autessa::Client::new("https://api.autessa.com", "YOUR_API_KEY")?;
        let params = AgentExecuteParams::new(123);
        let mut connection = client.connect_agent_execute(&params).await?;
        if let Some(first) = connection.connection_status() {
            println!("{first:?}");
        }
        let message = types::ExecuteMessage::new(
                123,
                Vec::from([
                    types::AgentInput::Text(types::TextInput::new("Hello!".to_owned())),
                ]),
            )
            .with_conversation_id("conv_abc123".to_owned());
        let reply = connection.request_execute_message(&message).await?;
        let mut reply = std::pin::pin!(reply);
        while let Some(part) = reply.next().await {
            match part? {
                AgentExecuteReply::StreamedOutputMessage(chunk) => println!("{chunk:?}"),
                AgentExecuteReply::ExecutionResult(result) => println!("{result:?}"),
                AgentExecuteReply::ErrorMessage(error) => eprintln!("{error:?}"),
                other => println!("{other:?}"),
            }
        }
        Ok(())
    }

    async fn agent_execute_audio_frame_example() -> Result<(), Box<dyn std::error::Error>> {
        use autessa::channels::{AgentExecuteParams, AgentExecuteReply};
        use autessa::types;
        use autessa::ws::stream::StreamExt;
        let client = autessa::Client::new("https://api.autessa.com", "YOUR_API_KEY")?;
        let mut params = AgentExecuteParams::new(123);
        params.voice_mode_enabled = Some(true);
        let mut connection = client.connect_agent_execute(&params).await?;
        if let Some(first) = connection.connection_status() {
            println!("{first:?}");
        }
        let voice_setup_message = types::VoiceSetupMessage::new(
            types::OutputType::Audio,
            123,
            types::AudioFormat::new(16000, 16, 1, true, false),
            std::collections::BTreeMap::new(),
            std::collections::BTreeMap::from([("customerName".to_owned(), "Ada".to_owned())]),
        );
        connection.send_voice_setup_message(&voice_setup_message).await?;
        let data = std::fs::read("audio_frame.bin")?;
        connection.sender().send_pcm_reader(data.as_slice(), 640).await?;
        let reply = connection.reply();
        let mut reply = std::pin::pin!(reply);
        while let Some(part) = reply.next().await {
            match part? {
                AgentExecuteReply::StreamedOutputMessage(chunk) => println!("{chunk:?}"),
                AgentExecuteReply::ExecutionResult(result) => println!("{result:?}"),
                AgentExecuteReply::ErrorMessage(error) => eprintln!("{error:?}"),
                other => println!("{other:?}"),
            }
        }
        Ok(())
    }

    async fn tool_execute_execute_tool_message_example() -> Result<(), Box<dyn std::error::Error>> {
        use autessa::channels::{ToolExecuteParams, ToolExecuteReply};
        use autessa::types;
        use autessa::ws::stream::StreamExt;
        let client = autessa::Client::new("https://api.autessa.com", "YOUR_API_KEY")?;
        let params = ToolExecuteParams::new(456);
        let mut connection = client.connect_tool_execute(&params).await?;
        if let Some(first) = connection.connection_status() {
            println!("{first:?}");
        }
        let message = types::ExecuteToolMessage::new(456)
            .with_variables(
                std::collections::BTreeMap::from([
                    ("city".to_owned(), serde_json::json!("Lisbon")),
                    ("days".to_owned(), serde_json::json!(3)),
                ]),
            )
            .with_debug(true);
        let reply = connection.request_execute_tool_message(&message).await?;
        let mut reply = std::pin::pin!(reply);
        while let Some(part) = reply.next().await {
            match part? {
                ToolExecuteReply::ToolDebugMessage(chunk) => println!("{}", chunk.line),
                ToolExecuteReply::ToolResultMessage(result) => println!("{result:?}"),
                ToolExecuteReply::ErrorMessage(error) => eprintln!("{error:?}"),
                other => println!("{other:?}"),
            }
        }
        Ok(())
    }

    /// Every example, not started.
    pub fn all() -> Vec<Example> {
        vec![
            Box::pin(create_conversation_example()),
            Box::pin(execute_agent_example()),
            Box::pin(close_conversation_example()),
            Box::pin(execute_tool_example()),
            Box::pin(insert_row_example()),
            Box::pin(update_row_example()),
            Box::pin(batch_update_rows_example()),
            Box::pin(delete_row_example()),
            Box::pin(batch_delete_rows_example()),
            Box::pin(get_data_example()),
            Box::pin(get_single_row_example()),
            Box::pin(query_table_example()),
            Box::pin(join_query_example()),
            Box::pin(semantic_search_example()),
            Box::pin(generate_upload_link_example()),
            Box::pin(index_record_example()),
            Box::pin(agent_execute_execute_message_example()),
            Box::pin(agent_execute_audio_frame_example()),
            Box::pin(tool_execute_execute_tool_message_example()),
        ]
    }
}

#[rustfmt::skip]
pub mod fixture_hostile {
    use super::Example;

    async fn type_example() -> Result<(), Box<dyn std::error::Error>> {
        let client = fixture_hostile::Client::new("http://localhost")?;
        let body = fixture_hostile::types::Struct::new("string".to_owned(), 1);
        let response = client.r#type("string", "string", &body).await?;
        println!("{:?}", response.body);
        Ok(())
    }

    async fn new_operation_example() -> Result<(), Box<dyn std::error::Error>> {
        let client = fixture_hostile::Client::new("http://localhost")?;
        let response = client.new_operation().await?;
        println!("{:?}", response.body);
        Ok(())
    }

    async fn with_options_operation_example() -> Result<(), Box<dyn std::error::Error>> {
        let client = fixture_hostile::Client::new("http://localhost")?;
        let response = client.with_options_operation().await?;
        println!("{:?}", response.body);
        Ok(())
    }

    async fn live_example() -> Result<(), Box<dyn std::error::Error>> {
        let client = fixture_hostile::Client::new("http://localhost")?;
        let response = client.live().await?;
        println!("{:?}", response.body);
        Ok(())
    }

    async fn connect_live_example() -> Result<(), Box<dyn std::error::Error>> {
        let client = fixture_hostile::Client::new("http://localhost")?;
        let response = client.connect_live().await?;
        println!("{:?}", response.body);
        Ok(())
    }

    async fn live_example_2() -> Result<(), Box<dyn std::error::Error>> {
        use fixture_hostile::types;
        let client = fixture_hostile::Client::new("http://localhost")?;
        let mut connection = client.connect_live_2().await?;
        if let Some(first) = connection.close_message() {
            println!("{first:?}");
        }
        let message = types::Recv::new();
        connection.send_recv(&message).await?;
        while let Some(event) = connection.recv().await {
            println!("{:?}", event ?);
        }
        Ok(())
    }

    async fn live_2_example() -> Result<(), Box<dyn std::error::Error>> {
        let client = fixture_hostile::Client::new("http://localhost")?;
        let mut connection = client.connect_live_2_2().await?;
        while let Some(event) = connection.recv().await {
            println!("{:?}", event ?);
        }
        Ok(())
    }

    async fn live2_example() -> Result<(), Box<dyn std::error::Error>> {
        let client = fixture_hostile::Client::new("http://localhost")?;
        let mut connection = client.connect_live2().await?;
        while let Some(event) = connection.recv().await {
            println!("{:?}", event ?);
        }
        Ok(())
    }

    /// Every example, not started.
    pub fn all() -> Vec<Example> {
        vec![
            Box::pin(type_example()),
            Box::pin(new_operation_example()),
            Box::pin(with_options_operation_example()),
            Box::pin(live_example()),
            Box::pin(connect_live_example()),
            Box::pin(live_example_2()),
            Box::pin(live_2_example()),
            Box::pin(live2_example()),
        ]
    }
}

#[rustfmt::skip]
pub mod fixture_operations {
    use super::Example;

    async fn list_items_example() -> Result<(), Box<dyn std::error::Error>> {
        let client = fixture_operations::Client::new("https://api.example.com/v2", "YOUR_API_KEY")?;
        let response = client.list_items().await?;
        println!("{:?}", response.body);
        Ok(())
    }

    async fn create_item_example() -> Result<(), Box<dyn std::error::Error>> {
        let client = fixture_operations::Client::new("https://api.example.com/v2", "YOUR_API_KEY")?;
        let body = fixture_operations::types::NewItem::new("string".to_owned());
        let response = client.create_item(&body).await?;
        println!("{:?}", response.body);
        Ok(())
    }

    async fn get_item_example() -> Result<(), Box<dyn std::error::Error>> {
        let client = fixture_operations::Client::new("https://api.example.com/v2", "YOUR_API_KEY")?;
        let response = client.get_item(1).await?;
        println!("{:?}", response.body);
        Ok(())
    }

    async fn delete_item_example() -> Result<(), Box<dyn std::error::Error>> {
        let client = fixture_operations::Client::new("https://api.example.com/v2", "YOUR_API_KEY")?;
        let response = client.delete_item(1).await?;
        println!("{:?}", response.body);
        Ok(())
    }

    async fn download_content_example() -> Result<(), Box<dyn std::error::Error>> {
        let client = fixture_operations::Client::new("https://api.example.com/v2", "YOUR_API_KEY")?;
        let response = client.download_content(1).await?;
        println!("{:?}", response.body);
        Ok(())
    }

    async fn upload_content_example() -> Result<(), Box<dyn std::error::Error>> {
        let client = fixture_operations::Client::new("https://api.example.com/v2", "YOUR_API_KEY")?;
        let response = client.upload_content(1, Some(std::fs::read("body.bin")?.into())).await?;
        println!("{:?}", response.body);
        Ok(())
    }

    async fn search_example() -> Result<(), Box<dyn std::error::Error>> {
        let client = fixture_operations::Client::new("https://api.example.com/v2", "YOUR_API_KEY")?;
        let body = fixture_operations::types::SearchRequest::new();
        let response = client.search(Some(&body)).await?;
        println!("{:?}", response.body);
        Ok(())
    }

    async fn health_example() -> Result<(), Box<dyn std::error::Error>> {
        let client = fixture_operations::Client::new("https://api.example.com/v2", "YOUR_API_KEY")?;
        let response = client.health().await?;
        println!("{:?}", response.body);
        Ok(())
    }

    async fn get_users_user_id_files_path_example() -> Result<(), Box<dyn std::error::Error>> {
        let client = fixture_operations::Client::new("https://api.example.com/v2", "YOUR_API_KEY")?;
        let response = client.get_users_user_id_files_path("string", "string").await?;
        println!("{:?}", response.body);
        Ok(())
    }

    /// Every example, not started.
    pub fn all() -> Vec<Example> {
        vec![
            Box::pin(list_items_example()),
            Box::pin(create_item_example()),
            Box::pin(get_item_example()),
            Box::pin(delete_item_example()),
            Box::pin(download_content_example()),
            Box::pin(upload_content_example()),
            Box::pin(search_example()),
            Box::pin(health_example()),
            Box::pin(get_users_user_id_files_path_example()),
        ]
    }
}

#[rustfmt::skip]
pub mod fixture_refs {
    use super::Example;

    async fn get_widget_example() -> Result<(), Box<dyn std::error::Error>> {
        let client = fixture_refs::Client::new("https://api.example.com")?;
        let response = client.get_widget(&serde_json::from_str(r#""00000000-0000-0000-0000-000000000000""#)?).await?;
        println!("{:?}", response.body);
        Ok(())
    }

    async fn create_gadget_example() -> Result<(), Box<dyn std::error::Error>> {
        let client = fixture_refs::Client::new("https://api.example.com")?;
        let body = fixture_refs::types::Gadget::new();
        let response = client.create_gadget(Some(&body)).await?;
        println!("{:?}", response.body);
        Ok(())
    }

    /// Every example, not started.
    pub fn all() -> Vec<Example> {
        vec![
            Box::pin(get_widget_example()),
            Box::pin(create_gadget_example()),
        ]
    }
}
