export default async function setup() {
  console.log('global setup ran');
}
