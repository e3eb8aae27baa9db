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
        let body: autessa::types::CreateConversationRequest = serde_json::from_str(r#"{
          "agentId": 123,
          "version": {
            "versionState": "DRAFT"
          }
        }"#)?;
        let response = client.create_conversation(&body).await?;
        println!("{:?}", response.body);
        Ok(())
    }

    async fn execute_agent_example() -> Result<(), Box<dyn std::error::Error>> {
        let client = autessa::Client::new("https://api.autessa.com", "YOUR_API_KEY")?;
        let body: autessa::types::ExecuteAgentRequest = serde_json::from_str(r#"{
          "agentId": 123,
          "conversationId": "conv_abc123",
          "input": [
            {
              "inputType": "TEXT",
              "content": "Hello!"
            }
          ],
          "outputType": "TEXT",
          "environmentVariables": {
            "CRM_API_KEY": "sk-live-4f9a"
          },
          "promptTemplateVariables": {
            "customerName": "Ada"
          }
        }"#)?;
        let response = client.execute_agent(&body).await?;
        println!("{:?}", response.body);
        Ok(())
    }

    async fn close_conversation_example() -> Result<(), Box<dyn std::error::Error>> {
        let client = autessa::Client::new("https://api.autessa.com", "YOUR_API_KEY")?;
        let body: autessa::types::CloseConversationRequest = serde_json::from_str(r#"{
          "agentId": 123,
          "conversationId": "conv_abc123"
        }"#)?;
        let response = client.close_conversation(&body).await?;
        println!("{:?}", response.body);
        Ok(())
    }

    async fn execute_tool_example() -> Result<(), Box<dyn std::error::Error>> {
        let client = autessa::Client::new("https://api.autessa.com", "YOUR_API_KEY")?;
        let body: autessa::types::ExecuteToolRequest = serde_json::from_str(r#"{
          "toolId": 456,
          "variables": {
            "city": "Lisbon",
            "days": 3
          },
          "privateVariables": {
            "accountNumber": "DE89370400440532013000"
          },
          "environmentVariables": {
            "WEATHER_API_KEY": "wk-93b1"
          },
          "debug": true
        }"#)?;
        let response = client.execute_tool(&body).await?;
        println!("{:?}", response.body);
        Ok(())
    }

    async fn insert_row_example() -> Result<(), Box<dyn std::error::Error>> {
        let client = autessa::Client::new("https://api.autessa.com", "YOUR_API_KEY")?;
        let body: autessa::types::InsertRowRequest = serde_json::from_str(r#"{
          "tableId": 789,
          "values": {
            "name": {
              "columnType": "STRING",
              "value": "Ada Lovelace"
            },
            "age": {
              "columnType": "INTEGER",
              "value": 36
            }
          }
        }"#)?;
        let response = client.insert_row(&body).await?;
        println!("{:?}", response.body);
        Ok(())
    }

    async fn update_row_example() -> Result<(), Box<dyn std::error::Error>> {
        let client = autessa::Client::new("https://api.autessa.com", "YOUR_API_KEY")?;
        let body: autessa::types::UpdateRowRequest = serde_json::from_str(r#"{
          "tableId": 789,
          "rowId": 1001,
          "values": {
            "age": {
              "columnType": "INTEGER",
              "value": 37
            }
          }
        }"#)?;
        let response = client.update_row(&body).await?;
        println!("{:?}", response.body);
        Ok(())
    }

    async fn batch_update_rows_example() -> Result<(), Box<dyn std::error::Error>> {
        let client = autessa::Client::new("https://api.autessa.com", "YOUR_API_KEY")?;
        let body: autessa::types::BatchUpdateRowsRequest = serde_json::from_str(r#"{
          "tableId": 789,
          "updates": [
            {
              "rowId": 1001,
              "values": {
                "age": {
                  "columnType": "INTEGER",
                  "value": 37
                }
              }
            },
            {
              "rowId": 1002,
              "values": {
                "name": {
                  "columnType": "STRING",
                  "value": "Charles Babbage"
                }
              }
            }
          ]
        }"#)?;
        let response = client.batch_update_rows(&body).await?;
        println!("{:?}", response.body);
        Ok(())
    }

    async fn delete_row_example() -> Result<(), Box<dyn std::error::Error>> {
        let client = autessa::Client::new("https://api.autessa.com", "YOUR_API_KEY")?;
        let body: autessa::types::DeleteRowRequest = serde_json::from_str(r#"{
          "tableId": 789,
          "rowId": 1001
        }"#)?;
        let response = client.delete_row(&body).await?;
        println!("{:?}", response.body);
        Ok(())
    }

    async fn batch_delete_rows_example() -> Result<(), Box<dyn std::error::Error>> {
        let client = autessa::Client::new("https://api.autessa.com", "YOUR_API_KEY")?;
        let body: autessa::types::BatchDeleteRowsRequest = serde_json::from_str(r#"{
          "tableId": 789,
          "rowIds": [
            1001,
            1002,
            1003
          ]
        }"#)?;
        let response = client.batch_delete_rows(&body).await?;
        println!("{:?}", response.body);
        Ok(())
    }

    async fn get_data_example() -> Result<(), Box<dyn std::error::Error>> {
        let client = autessa::Client::new("https://api.autessa.com", "YOUR_API_KEY")?;
        let body: autessa::types::GetDataRequest = serde_json::from_str(r#"{
          "tableId": 789,
          "pagination": {
            "currentPage": 0,
            "totalRecordsPerPage": 2,
            "ascending": true
          }
        }"#)?;
        let response = client.get_data(&body).await?;
        println!("{:?}", response.body);
        Ok(())
    }

    async fn get_single_row_example() -> Result<(), Box<dyn std::error::Error>> {
        let client = autessa::Client::new("https://api.autessa.com", "YOUR_API_KEY")?;
        let body: autessa::types::GetSingleRowRequest = serde_json::from_str(r#"{
          "tableId": 789,
          "rowId": 1001
        }"#)?;
        let response = client.get_single_row(&body).await?;
        println!("{:?}", response.body);
        Ok(())
    }

    async fn query_table_example() -> Result<(), Box<dyn std::error::Error>> {
        let client = autessa::Client::new("https://api.autessa.com", "YOUR_API_KEY")?;
        let body: autessa::types::QueryTableRequest = serde_json::from_str(r#"{
          "tableId": 789,
          "selectedColumns": [
            {
              "columnName": "name"
            },
            {
              "columnName": "age"
            }
          ],
          "filters": {
            "operand": "AND",
            "groups": [
              {
                "operand": "OR",
                "statements": [
                  {
                    "column": "age",
                    "operator": "GREATER_THAN_OR_EQUALS",
                    "value": 30
                  },
                  {
                    "column": "name",
                    "operator": "LIKE",
                    "value": "Ada%"
                  }
                ]
              }
            ]
          },
          "pagination": {
            "currentPage": 0,
            "totalRecordsPerPage": 25
          }
        }"#)?;
        let response = client.query_table(&body).await?;
        println!("{:?}", response.body);
        Ok(())
    }

    async fn join_query_example() -> Result<(), Box<dyn std::error::Error>> {
        let client = autessa::Client::new("https://api.autessa.com", "YOUR_API_KEY")?;
        let body: autessa::types::JoinQueryRequest = serde_json::from_str(r#"{
          "tableId": 789,
          "tableAlias": "c",
          "selectedColumns": [
            {
              "columnName": "name",
              "tableAlias": "c"
            },
            {
              "columnName": "total",
              "tableAlias": "o",
              "columnAlias": "orderTotal",
              "functions": [
                "SUM"
              ]
            }
          ],
          "joinStatements": [
            {
              "joinType": "LEFT",
              "joinTableId": 790,
              "joinTableAlias": "o",
              "mainTableColumn": "id",
              "joinTableColumn": "customerId",
              "joinFilters": {
                "operand": "AND",
                "groups": [
                  {
                    "operand": "AND",
                    "statements": [
                      {
                        "column": "status",
                        "operator": "EQUALS",
                        "value": "PAID"
                      }
                    ]
                  }
                ]
              }
            }
          ],
          "pagination": {
            "currentPage": 0,
            "totalRecordsPerPage": 50
          }
        }"#)?;
        let response = client.join_query(&body).await?;
        println!("{:?}", response.body);
        Ok(())
    }

    async fn semantic_search_example() -> Result<(), Box<dyn std::error::Error>> {
        let client = autessa::Client::new("https://api.autessa.com", "YOUR_API_KEY")?;
        let body: autessa::types::SemanticSearchRequest = serde_json::from_str(r#"{
          "tableId": 789,
          "columnName": "summary",
          "query": "mathematician who wrote the first computer program",
          "limit": 5,
          "filters": {
            "operand": "AND",
            "groups": [
              {
                "operand": "AND",
                "statements": [
                  {
                    "column": "active",
                    "operator": "EQUALS",
                    "value": true
                  }
                ]
              }
            ]
          }
        }"#)?;
        let response = client.semantic_search(&body).await?;
        println!("{:?}", response.body);
        Ok(())
    }

    async fn generate_upload_link_example() -> Result<(), Box<dyn std::error::Error>> {
        let client = autessa::Client::new("https://api.autessa.com", "YOUR_API_KEY")?;
        let body: autessa::types::GenerateUploadLinkRequest = serde_json::from_str(r#"{
          "tableId": 789,
          "fileName": "customers.csv",
          "fileType": "CSV"
        }"#)?;
        let response = client.generate_upload_link(&body).await?;
        println!("{:?}", response.body);
        Ok(())
    }

    async fn index_record_example() -> Result<(), Box<dyn std::error::Error>> {
        let client = autessa::Client::new("https://api.autessa.com", "YOUR_API_KEY")?;
        let body: autessa::types::IndexRecordRequest = serde_json::from_str(r#"{
          "tableId": 789,
          "tempPath": "tmp/789/7c1e2b/customers.csv",
          "fileDelimiter": "COMMA"
        }"#)?;
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
        let body: fixture_hostile::types::Struct = serde_json::from_str(r#"{
          "type": "string",
          "fn": 1
        }"#)?;
        let response = client.r#type("string", &body).await?;
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

    /// Every example, not started.
    pub fn all() -> Vec<Example> {
        vec![
            Box::pin(type_example()),
            Box::pin(new_operation_example()),
            Box::pin(with_options_operation_example()),
            Box::pin(live_example()),
            Box::pin(connect_live_example()),
            Box::pin(live_example_2()),
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
        let body: fixture_operations::types::NewItem = serde_json::from_str(r#"{
          "name": "string"
        }"#)?;
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
        let body: fixture_operations::types::SearchRequest = serde_json::from_str(r#"{}"#)?;
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
        let body: fixture_refs::types::Gadget = serde_json::from_str(r#"{}"#)?;
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
